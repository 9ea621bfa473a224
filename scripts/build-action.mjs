// Bundles the GitHub Action into one file: node scripts/build-action.mjs [outfile]
// (default dist/action.js). Deterministic: paths are relative to the repository root and no
// timestamps are written, so test/action/bundle.test.ts can rebuild and compare bytes.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const shim = fileURLToPath(new URL('./action-require.mjs', import.meta.url));
const outfile = process.argv[2] ?? 'dist/action.js';

await build({
  absWorkingDir: root,
  entryPoints: ['src/action/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies use require, __filename and __dirname; an ESM bundle has none of them.
  banner: {
    js: "import{createRequire as __lfRequire}from'module';import{fileURLToPath as __lfPath}from'url';import{dirname as __lfDir}from'path';const require=__lfRequire(import.meta.url);const __filename=__lfPath(import.meta.url);const __dirname=__lfDir(__filename);",
  },
  plugins: [
    {
      name: 'action-require',
      setup(b) {
        b.onResolve({ filter: /^(node:)?module$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
      },
    },
  ],
});
