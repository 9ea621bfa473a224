// Bundles the CLI and its worker threads over tsc's output: node scripts/bundle-cli.mjs
// (run by `npm run build` after tsc). Loading ~55 modules one by one cost a git scan ~25-35 ms
// of start-up, paid on every pre-commit hook; as dist/cli.js, dist/scan-worker.js and
// dist/chunk-worker.js plus shared chunks (code splitting keeps each command's modules loading
// only when it runs) the same code loads in fewer, larger files. npm packages stay external.
// tsc's per-module files stay in dist/ for what imports one module (bench/store.js, tests).
// Files found relative to the package (rules/, workers, bin/) go through src/package-root.ts,
// so a module's place in dist/ does not matter.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

// Chunks of an earlier build: their names carry a content hash, so they would pile up.
for (const f of readdirSync(dist)) if (/^shared-[A-Z0-9]+\.js$/.test(f)) rmSync(`${dist}/${f}`);

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts', 'scan-worker': 'src/scan-worker.ts', 'chunk-worker': 'src/chunk-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'shared-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  allowOverwrite: true,
});
