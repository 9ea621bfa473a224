// The few git questions fix asks: where the repository is, which files are dirty or staged,
// and which commits carry a value (exposure). The first three are small queries with no latency
// budget, so they go through simple-git; scans keep their own plumbing in src/sources/git.ts
// (streams, and a pre-commit hook that cannot wait ~25 ms for simple-git to load).
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../errors.js';

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
 * Commits (any ref) that add or remove each value: where a leaked credential appears in history.
 * One `git log -S` per value, several at a time (each is a pass over history, mostly waiting).
 * Not through simple-git: the value is on git's command line, and simple-git prints command lines
 * when DEBUG names it; a secret must not reach a log that way.
 */
export async function commitsWith(top: string, values: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const queue = [...new Set(values)];
  const worker = async () => {
    for (let value = queue.shift(); value !== undefined; value = queue.shift()) {
      const v = value;
      const commits = await new Promise<string[]>((resolve) =>
        execFile('git', ['log', '--all', '--format=%H', `-S${v}`], { cwd: top, maxBuffer: 1 << 28 }, (err, stdout) => resolve(err ? [] : stdout.split('\n').filter(Boolean))),
      );
      out.set(v, commits);
    }
  };
  await Promise.all(Array.from({ length: Math.min(queue.length, Math.max(2, availableParallelism())) }, worker));
  return out;
}
