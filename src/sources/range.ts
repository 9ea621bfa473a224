// Range source (pull requests, pushes): the lines each commit of BASE..HEAD adds, read from one
// `git log -p -U0 --cc` stream. Merges count only lines new against every parent, so merging the
// base branch in never reports the base's own secrets. Files are read from one cat-file process.
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { addedLinesParser, blobReader, gitSync, PLAIN_DIFF, PLAIN_LOG, readLines, unquotePath, waitFor, ZERO_SHA, type RepoInfo } from './git.js';
import { looksBinary } from './read.js';
import { fingerprint } from '../detect/redact.js';
import { UserError } from '../errors.js';
import type { CommitInfo, Finding } from '../types.js';

export interface RangeOptions {
  repo: RepoInfo;
  /** `BASE..HEAD` (or `BASE...HEAD`; a bare `BASE` means `BASE..HEAD`). */
  range: string;
  maxFileSize: number;
  allOccurrences: boolean;
  skipPath: (path: string) => boolean;
  scanBytes: (path: string, bytes: Buffer) => Finding[];
}

export interface RangeResult {
  findings: Finding[];
  notes: string[];
  commits: number;
  files: number;
  bytes: number;
  binarySkipped: number;
}

/** Which commits to walk: git's own `base..head` plus what the user should know about it. */
export function resolveRange(repo: RepoInfo, range: string): { revs: string[]; notes: string[] } {
  const m = /^(.*?)\.\.\.?(.*)$/.exec(range);
  const base = (m ? m[1] : range).trim();
  const headName = (m ? m[2] : '').trim() || 'HEAD';
  if (!base) throw new UserError(`--range ${range}: missing base (use BASE..HEAD)`);
  const verify = (name: string) => {
    const r = gitSync(repo.dir, ['rev-parse', '--verify', '--quiet', `${name}^{commit}`]);
    return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
  };
  const head = verify(headName);
  if (!head) throw new UserError(`--range ${range}: ${headName} is not a commit in this repository`);
  const notes: string[] = [];
  if (ZERO_SHA.test(base)) {
    // A new branch: its commits are the ones no other ref has.
    const others = gitSync(repo.dir, ['for-each-ref', '--format=%(objectname)', '--no-contains', head]).stdout.toString('utf8').split('\n').filter(Boolean);
    notes.push(`base is the all-zero SHA (a new branch): scanning the ${others.length ? 'commits no other ref contains' : 'whole history of HEAD'}`);
    return { revs: [head, ...[...new Set(others)].map((o) => `^${o}`)], notes };
  }
  const baseSha = verify(base);
  if (!baseSha) {
    throw new UserError(
      `--range ${range}: base ${base} is not in this clone${repo.shallow ? ' (a shallow clone)' : ''}: fetch more history (git fetch --deepen=100 or --unshallow; actions/checkout: fetch-depth: 0)`,
    );
  }
  if (gitSync(repo.dir, ['merge-base', '--is-ancestor', baseSha, head]).code !== 0) {
    const mb = gitSync(repo.dir, ['merge-base', baseSha, head]);
    notes.push(
      mb.code === 0
        ? `base ${base} is not an ancestor of ${headName}: scanning from their merge base ${mb.stdout.toString('utf8').trim().slice(0, 12)}`
        : `base ${base} shares no history with ${headName}: scanning every commit of ${headName} not reachable from it`,
    );
  }
  if (repo.shallow) notes.push('this is a shallow clone: if the base is beyond the shallow boundary, fetch more history');
  return { revs: [head, `^${baseSha}`], notes };
}

interface PendingFile {
  path: string;
  blob: string;
  mode: string;
  lines: Set<number>;
}

const FORMAT = '--format=%x01%H%x00%an%x00%ae%x00%aI%x00%s';

export async function scanRange(options: RangeOptions): Promise<RangeResult> {
  const { repo } = options;
  const { revs, notes } = resolveRange(repo, options.range);
  const result: RangeResult = { findings: [], notes, commits: 0, files: 0, bytes: 0, binarySkipped: 0 };
  const args = ['-c', 'core.quotePath=false', 'log', '--stdin', ...PLAIN_LOG, ...PLAIN_DIFF, '--date-order', '--reverse', '--no-abbrev', '--cc', '-U0', '--raw', FORMAT, '--'];
  // Full stdio buffers rather than a flush per commit (see history.ts).
  const child = spawn('git', args, { cwd: repo.dir, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_FLUSH: '0' } });
  const exited = waitFor(child, 'git log failed');
  exited.catch(() => undefined);
  child.stdin.end(revs.join('\n') + '\n');

  const reader = blobReader(repo.dir, options.maxFileSize);
  const cache = new Map<string, Finding[]>();
  const byFingerprint = new Map<string, Finding & { history: NonNullable<Finding['history']> }>();

  async function scanFile(commit: CommitInfo, file: PendingFile): Promise<void> {
    if (file.mode === '160000' || file.mode === '120000' || ZERO_SHA.test(file.blob) || options.skipPath(file.path)) return;
    const key = `${file.blob}:${extname(file.path)}:${file.path}`;
    let found = cache.get(key);
    if (!found) {
      const read = await reader.read(file.blob);
      found = [];
      if (read.kind === 'too-large') notes.push(`skipped ${file.path} in ${commit.sha.slice(0, 12)}: larger than --max-file-size (${read.size} bytes)`);
      else if (read.kind === 'missing') notes.push(`skipped ${file.path} in ${commit.sha.slice(0, 12)}: object missing from this clone`);
      else if (looksBinary(read.bytes)) result.binarySkipped++;
      else {
        result.files++;
        result.bytes += read.bytes.length;
        found = options.scanBytes(file.path, read.bytes);
      }
      cache.set(key, found);
    }
    for (const f of found) {
      if (!file.lines.has(f.line)) continue;
      const fp = fingerprint(f.ruleId, file.path, f.secret);
      const first = byFingerprint.get(fp);
      if (first) {
        first.history.occurrences!.push({ commit: commit.sha, path: file.path });
        continue;
      }
      byFingerprint.set(fp, { ...f, fingerprint: fp, origin: { kind: 'commit', commit, blob: file.blob }, history: { occurrences: [{ commit: commit.sha, path: file.path }] } });
    }
  }

  // One commit at a time: raw lines give each path's new blob, the patch gives its added lines.
  let commit: CommitInfo | undefined;
  let blobs = new Map<string, { blob: string; mode: string }>();
  let files: PendingFile[] = [];
  const patch = addedLinesParser((path, lines) => {
    const b = blobs.get(path);
    if (b) files.push({ path, lines, ...b });
  });
  const finishCommit = async () => {
    patch.end();
    if (commit) for (const f of files) await scanFile(commit, f);
    files = [];
    blobs = new Map();
  };
  try {
    for await (const line of readLines(child.stdout)) {
      if (line.startsWith('\x01')) {
        await finishCommit();
        const [sha, author, email, date, subject] = line.slice(1).split('\0');
        commit = { sha, author, email, date, subject };
        result.commits++;
      } else if (line.startsWith(':')) {
        const tab = line.indexOf('\t');
        const parents = /^:+/.exec(line)![0].length;
        const fields = line.slice(parents, tab).split(' ');
        blobs.set(unquotePath(line.slice(tab + 1)), { mode: fields[parents], blob: fields[2 * parents + 1] });
      } else {
        patch.line(line);
      }
    }
    await finishCommit();
    await exited;
  } finally {
    await reader.close();
  }
  result.findings = [...byFingerprint.values()].map((f) => (options.allOccurrences ? f : { ...f, history: undefined }));
  return result;
}
