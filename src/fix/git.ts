// The few git questions fix asks: where the repository is, which files are dirty or staged,
// and which commits carry a value (exposure).
import { execFile, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';

function git(cwd: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('git', ['-c', 'core.quotePath=false', ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') return { code: 127, out: '', err: 'git not found' };
    throw r.error;
  }
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** The work tree's top level and the absolute git dir, or undefined outside a repository. */
export function repoOf(dir: string): { top: string; gitDir: string } | undefined {
  const r = git(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir']);
  if (r.code !== 0) return undefined;
  const [top, gitDir] = r.out.trim().split('\n');
  return top && gitDir ? { top, gitDir } : undefined;
}

/** Paths (relative to top) with uncommitted changes: modified, staged, untracked. */
export function dirtyPaths(top: string, paths: string[], stagedMode: boolean): Set<string> {
  if (paths.length === 0) return new Set();
  // --staged: the index is the point; only work-tree changes not yet staged are in the way.
  const args = stagedMode ? ['diff', '--name-only', '-z', '--', ...paths] : ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths];
  const r = git(top, args);
  if (r.code !== 0) throw new UserError(`git ${args[0]} failed: ${r.err.trim().split('\n')[0]}`);
  const entries = r.out.split('\0').filter(Boolean);
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

export function stagedPaths(top: string): string[] {
  const r = git(top, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR']);
  if (r.code !== 0) throw new UserError(`git diff --cached failed: ${r.err.trim().split('\n')[0]}`);
  return r.out.split('\0').filter(Boolean);
}

export function stage(top: string, paths: string[]): void {
  if (!paths.length) return;
  const r = git(top, ['add', '--', ...paths]);
  if (r.code !== 0) throw new UserError(`git add failed: ${r.err.trim().split('\n')[0]}`);
}

/**
 * Commits (any ref) that add or remove each value: where a leaked credential appears in history.
 * One `git log -S` per value, several at a time (each is a pass over history, mostly waiting).
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
