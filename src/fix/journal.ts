// The fix journal: every file's old content, written (fsync'd) before the first change, so a
// fix that fails, is killed or is regretted can be put back. It holds secrets, so it lives in
// the git dir (never committed) or the per-user state dir, with 0600 permissions.
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { sha256 } from './names.js';

export type JournalState = 'prepared' | 'stored' | 'writing' | 'done' | 'rolled-back' | 'undone';

export interface JournalFile {
  path: string;
  /** Base64 of the old content; null when fix creates the file. */
  before: string | null;
  beforeHash: string | null;
  afterHash: string;
}

export interface Journal {
  version: 1;
  root: string;
  state: JournalState;
  startedAt: string;
  secrets: string[];
  files: JournalFile[];
}

export function journalPath(root: string, gitDir: string | undefined, env: NodeJS.ProcessEnv): string {
  if (gitDir) return join(gitDir, 'leakfix', 'fix-journal.json');
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'leakfix', 'journals', `${sha256(root).slice(0, 16)}.json`);
}

export function readJournal(path: string): Journal | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as Journal;
    if (j.version !== 1 || !Array.isArray(j.files)) throw new Error('unknown format');
    return j;
  } catch (e) {
    throw new UserError(`fix journal ${path} is unreadable (${(e as Error).message}); move it away to continue`);
  }
}

export function writeJournal(path: string, journal: Journal): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, JSON.stringify(journal), 0o600);
}

export const incomplete = (j: Journal): boolean => j.state === 'prepared' || j.state === 'stored' || j.state === 'writing';

/** Puts every journaled file back; refuses (changing nothing) if one was edited since. */
export function restoreFiles(journal: Journal): string[] {
  const changed: string[] = [];
  for (const f of journal.files) {
    const abs = join(journal.root, f.path);
    const now = existsSync(abs) ? sha256(readFileSync(abs)) : null;
    if (now !== f.afterHash && now !== f.beforeHash) changed.push(f.path);
  }
  if (changed.length) throw new UserError(`changed since the fix, not restoring anything: ${changed.join(', ')}`);
  const restored: string[] = [];
  for (const f of journal.files) {
    const abs = join(journal.root, f.path);
    const now = existsSync(abs) ? sha256(readFileSync(abs)) : null;
    if (now === f.beforeHash) continue;
    if (f.before === null) unlinkSync(abs);
    else writeFileAtomic(abs, Buffer.from(f.before, 'base64'));
    restored.push(f.path);
  }
  return restored;
}
