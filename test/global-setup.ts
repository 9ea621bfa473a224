// Builds dist/ once so tests can run the real CLI as a child process. Type errors do not stop
// the emit (`npm test` type-checks separately), so one module in progress never blocks all tests.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
}
