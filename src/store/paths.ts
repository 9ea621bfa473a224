// Where the store keeps its files. Always a per-user directory, never the scanned project,
// so secrets moved out of a repository cannot end up back inside it.
import { homedir } from 'node:os';
import { join, isAbsolute, resolve } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const override = env.LEAKFIX_STORE_DIR;
  if (override) return isAbsolute(override) ? override : resolve(override);
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'leakfix', 'store');
}

export const files = {
  journal: 'journal.log',
  credentials: 'credentials.json',
  masterKey: 'master.key',
  rotation: 'rotation.json',
  lock: 'store.lock',
};
