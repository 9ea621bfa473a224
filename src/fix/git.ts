// The few git questions fix asks: where the repository is, which files are dirty or staged
// (small queries with no latency budget: simple-git; scans keep their own plumbing in
// src/sources/git.ts, streams and a pre-commit hook that cannot wait ~25 ms for simple-git to
// load), and which commits brought a value in (exposure: a walk of the history).
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../errors.js';
import { fingerprint, redact } from '../detect/redact.js';
import { DEFAULT_MAX_FILE_SIZE } from '../scan.js';
import type { Finding } from '../types.js';

function gitAt(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, config: ['core.quotePath=false'] });
}

/** git's own reason for a failed command, on one line. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/ENOENT/.test(text)) return 'git not found';
  return text.trim().split('\n')[0].replace(/^(fatal|error): /, '');
}

/** The work tree's top level and the absolute git dir, or undefined outside a repository. */
export async function repoOf(dir: string): Promise<{ top: string; gitDir: string } | undefined> {
  try {
    const [top, gitDir] = (await gitAt(dir).revparse(['--show-toplevel', '--absolute-git-dir'])).split('\n');
    return top && gitDir ? { top, gitDir } : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one git command in `top`; a failure is a UserError naming the command and git's reason. */
async function run(top: string, args: string[]): Promise<string> {
  try {
    return await gitAt(top).raw(args);
  } catch (err) {
    throw new UserError(`git ${args[0]} failed: ${reason(err)}`);
  }
}

/** Paths (relative to top) with uncommitted changes: modified, staged, untracked. */
export async function dirtyPaths(top: string, paths: string[], stagedMode: boolean): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  // --staged: the index is the point; only work-tree changes not yet staged are in the way.
  const args = stagedMode ? ['diff', '--name-only', '-z', '--', ...paths] : ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths];
  const entries = (await run(top, args)).split('\0').filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (stagedMode) out.add(e);
    else {
      out.add(e.slice(3));
      if (e[0] === 'R' || e[0] === 'C') i++; // the rename's source path follows
    }
  }
  return out;
}

export async function stagedPaths(top: string): Promise<string[]> {
  return (await run(top, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR'])).split('\0').filter(Boolean);
}

export async function stage(top: string, paths: string[]): Promise<void> {
  if (paths.length) await run(top, ['add', '--', ...paths]);
}

/**
 * Commits (any ref) that brought each value into the repository: where a leaked credential
 * appears in history, one commit per path it was added at (the earliest; later edits, merges and
 * cherry-picks that carry it are the same exposure). One walk of the history for all values, with
 * the history scan's machinery (each blob read once, searched byte for byte), rather than a
 * `git log -S<value>` per value: that put the secret on git's command line, where every user of
 * the machine can read it (/proc/<pid>/cmdline) while git runs.
 */
export async function commitsWith(top: string, values: string[]): Promise<Map<string, string[]>> {
  const unique = [...new Set(values)].filter((v) => v.length > 0);
  const out = new Map<string, string[]>(unique.map((v) => [v, []]));
  if (unique.length === 0) return out;
  const needles = unique.map((value) => ({ value, bytes: Buffer.from(value, 'utf8') }));
  const { scanHistory } = await import('../sources/history.js');
  const { findings } = await scanHistory({
    dir: top,
    branches: [],
    maxFileSize: DEFAULT_MAX_FILE_SIZE,
    allOccurrences: false,
    skipPath: () => false,
    rules: [],
    scanBytes: (path, bytes) => {
      const found: Finding[] = [];
      for (const n of needles) {
        const at = bytes.indexOf(n.bytes);
        if (at !== -1) found.push(valueFinding(path, bytes, at, n.value));
      }
      return found;
    },
  });
  for (const f of findings) {
    const commits = out.get(f.secret)!;
    const sha = f.origin.kind === 'commit' ? f.origin.commit.sha : undefined;
    if (sha && !commits.includes(sha)) commits.push(sha);
  }
  return out;
}

/** A value found at byte `at` of a blob, as the history walk attributes findings. */
function valueFinding(path: string, bytes: Buffer, at: number, value: string): Finding {
  const before = bytes.toString('utf8', 0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const column = before.length - lineStart + 1;
  const lines = value.split('\n');
  const endLine = line + lines.length - 1;
  const endColumn = lines.length === 1 ? column + value.length : lines[lines.length - 1].length + 1;
  return {
    ruleId: 'leakfix.moved-value',
    ruleName: 'Credential being moved',
    detector: 'pattern',
    path,
    origin: { kind: 'file' },
    range: [before.length, before.length + value.length],
    byteRange: [at, at + Buffer.byteLength(value)],
    line,
    column,
    endLine,
    endColumn,
    secret: value,
    redacted: redact(value),
    entropy: 0,
    severity: 'critical',
    confidence: 'high',
    fingerprint: fingerprint('leakfix.moved-value', path, value),
    lineText: '',
  };
}
