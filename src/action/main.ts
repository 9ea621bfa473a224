// The GitHub Action's entry (bundled into dist/action.js): the action's cli.ts, the only action
// module that touches `process`. A src/action.ts would make tsc overwrite the committed bundle.
import { UserError } from '../errors.js';
import { runAction } from './run.js';
import { command } from './workflow.js';
import { setFlagsFromString } from 'node:v8';

// A larger optimization budget, as bin/leakfix.js sets for the CLI (see there).
setFlagsFromString('--interrupt-budget=540672');

try {
  process.exitCode = await runAction({
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: false,
    readStdin: async () => Buffer.alloc(0),
  });
} catch (err) {
  process.stdout.write(command('error', err instanceof UserError ? err.message : `internal error: ${(err as Error)?.stack ?? err}`));
  process.exitCode = 2;
}
