#!/usr/bin/env node
// Entry point: runs the compiled CLI. A fresh clone builds dist/ on `npm install` (prepare);
// if it is missing anyway, build it once here so `npx leakfix` still works.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    process.stderr.write('leakfix: error: could not build dist/ (run npm run build)\n');
    process.exit(2);
  }
}
const { run } = await import(cli.href);
await run();
