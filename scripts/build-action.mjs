// Bundles the GitHub Action into one file: node scripts/build-action.mjs [outfile]
// (default dist/action.js). Deterministic: no paths or timestamps in the output, so
// test/action/bundle.test.ts can rebuild it and compare bytes.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? 'dist/action.js';

const options = {
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
};

// leakfix loads some packages lazily through createRequire(import.meta.url)('pkg') (yaml,
// typescript-estree, fast-glob, ignore). A runner has no node_modules next to dist/action.js, so
// node:module is replaced by a module whose createRequire serves those packages from the bundle
// (still on first use). Which packages: every require('pkg') or createRequire(…)('pkg') literal in
// the bundled sources that resolves to a package.
const first = await build({ ...options, write: false, metafile: true, logLevel: 'silent', packages: 'external' });
const resolveFrom = createRequire(`${root}package.json`);
const lazy = new Set();
for (const input of Object.keys(first.metafile.inputs).filter((f) => f.startsWith('src/'))) {
  for (const m of readFileSync(`${root}${input}`, 'utf8').matchAll(/(?:\brequire|\))\('([^'./][^']*)'\)/g)) {
    if (builtinModules.includes(m[1]) || m[1].startsWith('node:')) continue;
    try {
      resolveFrom.resolve(m[1]);
      lazy.add(m[1]);
    } catch {
      /* not a package (e.g. a comment's example) */
    }
  }
}
const served = [...lazy].sort().map((id) => `  ${JSON.stringify(id)}: () => require(${JSON.stringify(id)}),`).join('\n');
const shim = `import { createRequire as nodeCreateRequire } from 'module';
export * from 'module';
const bundled = {
${served}
};
export function createRequire(from) {
  const fallback = nodeCreateRequire(from);
  return (id) => (Object.hasOwn(bundled, id) ? bundled[id]() : fallback(id));
}
`;

await build({
  ...options,
  plugins: [
    {
      name: 'action-require',
      setup(b) {
        b.onResolve({ filter: /^(node:)?module$/ }, (args) => (args.namespace === 'action-require' ? { path: 'module', external: true } : { path: 'module', namespace: 'action-require' }));
        b.onLoad({ filter: /.*/, namespace: 'action-require' }, () => ({ contents: shim, resolveDir: root, loader: 'js' }));
      },
    },
  ],
});
