// Builds dist/ once so tests can run the real CLI as a child process, as `npm run build` does:
// tsc, then the bundled CLI over it (scripts/bundle-cli.mjs). Type errors do not stop the emit
// (`npm test` type-checks separately), so one module in progress never blocks all tests; if the
// bundle fails, tsc's own dist/cli.js is what the tests run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  spawnSync(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: root, stdio: 'ignore' });
}
