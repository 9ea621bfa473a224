// `leakfix run -- <command>`: the secrets the mapping names, fetched from the local store or AWS,
// in the command's environment. Spawning lives here; exit codes and signals are cli.ts's job.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { findMapping, readMapping } from '../fix/mapping.js';
import { connectStore, fetchMapped, type StoreKind } from '../fix/store.js';
import type { IO } from '../io.js';

export type RunResult = { code: number; signal?: undefined } | { code?: undefined; signal: NodeJS.Signals };

export const RUN_USAGE = 'leakfix run [--store local|aws] [--region R] [--mapping FILE] -- <command> [args...]';

export async function runCommand(argv: string[], io: IO, onSpawn: (child: ChildProcess) => void = () => {}): Promise<RunResult> {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  let values: { store?: string; region?: string; mapping?: string };
  try {
    values = parseArgs({ args: own, options: { store: { type: 'string' }, region: { type: 'string' }, mapping: { type: 'string' } }, strict: true }).values;
  } catch (e) {
    throw new UserError(`${(e as Error).message.split('\n')[0]} (usage: ${RUN_USAGE})`);
  }
  if (command.length === 0) throw new UserError(`no command to run (usage: ${RUN_USAGE})`);
  const file = values.mapping ?? findMapping(io.cwd);
  if (!file) throw new UserError(`no .leakfix/secrets.json here or above ${io.cwd}: run leakfix fix first`);
  const mapping = readMapping(file);
  if (!mapping) throw new UserError(`mapping file not found: ${file}`);
  const kind = (values.store ?? mapping.store) as StoreKind;
  if (kind !== 'local' && kind !== 'aws') throw new UserError(`--store ${kind}: use local or aws`);

  const conn = await connectStore(kind, { region: values.region ?? mapping.region, env: io.env });
  try {
    const secrets = await fetchMapped(conn, mapping.env);
    // Code rewritten in the SDK style reads the store itself: point its SDK at the local store.
    const sdkEnv: NodeJS.ProcessEnv =
      mapping.sdk && conn.local
        ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: conn.local.url, AWS_ACCESS_KEY_ID: conn.local.accessKeyId, AWS_SECRET_ACCESS_KEY: conn.local.secretAccessKey, AWS_REGION: conn.region, AWS_SESSION_TOKEN: undefined }
        : {};
    const env = { ...io.env, ...sdkEnv, ...secrets };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env, cwd: io.cwd });
    onSpawn(child);
    return await new Promise<RunResult>((resolve, reject) => {
      child.once('error', (e) => reject((e as NodeJS.ErrnoException).code === 'ENOENT' ? new UserError(`command not found: ${command[0]}`) : e));
      child.once('exit', (code, signal) => resolve(signal ? { signal } : { code: code ?? 1 }));
    });
  } finally {
    await conn.close();
  }
}

/** The shell's exit status for a death by signal (128 + number), when re-raising is not possible. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

