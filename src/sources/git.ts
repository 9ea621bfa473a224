// Shared git plumbing for the history, staged and range sources: running git, one long-lived
// `git cat-file --batch` reader, NUL-separated stream splitting, unified-diff → added lines,
// C-quoted path decoding, repository checks. Bulk data always flows through streams; small
// questions run git once and wait.
import { spawn, spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';

export const ZERO_SHA = /^0+$/;

/**
 * Flags every `git log`/`git diff` we parse passes, so that no user setting changes the output:
 * the root commit listed as a creation (log.showRoot), no signature check lines
 * (log.showSignature), paths from the top (diff.relative), a/ and b/ prefixes (diff.noprefix,
 * diff.mnemonicPrefix), UTF-8 (i18n.logOutputEncoding), no colour, renames or external diff.
 */
export const PLAIN_LOG = ['--root', '--no-show-signature', '--encoding=UTF-8'];
export const PLAIN_DIFF = ['--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '--no-color', '--no-renames', '--no-ext-diff', '--no-textconv'];

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs one short git command and waits; `-c core.quotePath=false` keeps non-ASCII paths readable. */
export function gitSync(cwd: string, args: string[], input?: string | Buffer): GitResult {
  const r = spawnSync('git', ['-c', 'core.quotePath=false', ...args], { cwd, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('git not found on PATH (history, staged and range scans need git)');
    throw r.error;
  }
  return { code: r.status ?? -1, stdout: r.stdout ?? Buffer.alloc(0), stderr: String(r.stderr ?? '') };
}

/** gitSync without blocking: for questions asked while other work goes on. */
export function gitAsync(cwd: string, args: string[], input?: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'core.quotePath=false', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin.on('error', () => undefined); // reported through 'close'
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new UserError('git not found on PATH (history, staged and range scans need git)') : e));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input ?? '');
  });
}

export function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.replace(/^(fatal|error): /, '') ?? '';
}

export interface RepoInfo {
  /** The directory git runs in (the work tree top level, or the bare repository). */
  dir: string;
  bare: boolean;
  shallow: boolean;
  /** HEAD's commit, undefined in a repository without commits. */
  head?: string;
}

/** One git call answers every question a git scan asks before it starts. */
export function repoInfo(dir: string): RepoInfo {
  // The usual case in one git call (a work tree with a commit); anything else, step by step.
  const quick = gitSync(dir, ['rev-parse', '--is-bare-repository', '--is-shallow-repository', '--show-toplevel', 'HEAD^{commit}']);
  const lines = quick.stdout.toString('utf8').split('\n');
  if (quick.code === 0 && lines.length === 5 && lines[0] === 'false' && lines[2] && /^[0-9a-f]{40,64}$/.test(lines[3])) {
    return { dir: lines[2], bare: false, shallow: lines[1] === 'true', head: lines[3] };
  }
  const r = gitSync(dir, ['rev-parse', '--is-bare-repository', '--is-shallow-repository']);
  if (r.code !== 0) {
    // git's own reason, unless it only repeats ours ("not a git repository (or any of the parent directories)").
    const reason = firstLine(r.stderr).replace(/^fatal:\s*/, '');
    throw new UserError(`${dir}: not a git repository${/not a git repository/i.test(reason) || !reason ? '' : ` (${reason})`}`);
  }
  const [bare, shallow] = r.stdout.toString('utf8').split('\n');
  // --show-toplevel fails in a bare repository (and inside .git): then git runs where it was asked.
  const top = bare === 'true' ? '' : gitSync(dir, ['rev-parse', '--show-toplevel']).stdout.toString('utf8').trim();
  const head = gitSync(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  return {
    dir: bare === 'true' || !top ? dir : top,
    bare: bare === 'true',
    shallow: shallow === 'true',
    head: head.code === 0 ? head.stdout.toString('utf8').trim() : undefined,
  };
}

export const SHALLOW_NOTE = 'this is a shallow clone: history before the shallow boundary is missing and the boundary commits look as if they added every file (run git fetch --unshallow for a complete audit)';

/**
 * Splits a byte stream on NUL, calling `onToken` with each complete token as UTF-8 text. Tokens
 * are decoded one by one, straight from the chunk (no view object per token), on purpose: a
 * string cut from a whole decoded chunk would keep that chunk alive for as long as the walk keeps
 * the blob name or path taken from it.
 */
export function nulSplitter(onToken: (token: string) => void): { push: (chunk: Buffer) => void; end: () => void } {
  let rest: Buffer | undefined;
  return {
    push(chunk) {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let i = buf.indexOf(0, start); i !== -1; i = buf.indexOf(0, start)) {
        onToken(buf.toString('utf8', start, i));
        start = i + 1;
      }
      rest = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    },
    end() {
      if (rest?.length) onToken(rest.toString('utf8'));
      rest = undefined;
    },
  };
}

export type BlobRead =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'missing' }
  | { kind: 'too-large'; size: number };

interface Pending {
  resolve: (r: BlobRead) => void;
  reject: (e: Error) => void;
}

/** `read` in terms of `request`: the promise form, for callers that read a blob now and then. */
export function readWith(request: BlobReader['request']): BlobReader['read'] {
  return (name) => new Promise<BlobRead>((resolve, reject) => request(name, resolve, reject));
}

export interface BlobReader {
  /** Reads one object by name (a blob sha); content above `maxSize` is skipped, never buffered. */
  read: (name: string) => Promise<BlobRead>;
  /**
   * `read` without a promise: `onRead` runs as soon as the answer is parsed, inside the reader's
   * own turn (a bulk walk of 12,000 blobs paid ~3 promise turns per blob), `onError` on failure.
   * A callback must not throw.
   */
  request: (name: string, onRead: (r: BlobRead) => void, onError: (e: Error) => void) => void;
  close: () => Promise<void>;
}

/**
 * A long-lived `git cat-file --batch`: requests are written in order, answers parsed in order.
 * Requests made in one tick go out as one write; content lying whole in one read chunk is
 * handed out as a view of that chunk (no copy).
 */
export function blobReader(cwd: string, maxSize: number): BlobReader {
  const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const queue: Pending[] = [];
  let outgoing = '';
  const send = () => {
    if (outgoing === '') return;
    child.stdin.write(outgoing);
    outgoing = '';
  };
  let stderr = '';
  let failed: Error | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const fail = (e: Error) => {
    failed = e;
    for (const p of queue.splice(0)) p.reject(e);
  };
  child.on('error', fail);
  child.stdin.on('error', () => undefined); // reported through 'close'
  child.on('close', (code) => {
    if (queue.length) fail(new UserError(`git cat-file stopped (exit ${code}): ${firstLine(stderr)}`));
  });

  // Parser state: a header line, then `size` bytes of content (kept or skipped), then "\n".
  let head: Buffer | undefined;
  let need = -1; // content bytes still to come for the current object; -1 = reading a header
  let keep: Buffer | undefined;
  let filled = 0;
  let size = 0;
  let trailer = false;
  child.stdout.on('data', (chunk: Buffer) => {
    let off = 0;
    while (off < chunk.length) {
      if (trailer) {
        off++; // the "\n" after content
        trailer = false;
        continue;
      }
      if (need < 0) {
        const nl = chunk.indexOf(10, off);
        if (nl === -1) {
          head = head ? Buffer.concat([head, chunk.subarray(off)]) : Buffer.from(chunk.subarray(off));
          return;
        }
        const line = (head ? Buffer.concat([head, chunk.subarray(off, nl)]) : chunk.subarray(off, nl)).toString('utf8');
        head = undefined;
        off = nl + 1;
        const parts = line.split(' ');
        if (parts[parts.length - 1] === 'missing' || parts.length < 3) {
          queue.shift()?.resolve({ kind: 'missing' });
          continue;
        }
        size = Number(parts[2]);
        need = size;
        filled = 0;
        if (size <= maxSize && off + size <= chunk.length) {
          keep = chunk.subarray(off, off + size);
          off += size;
          need = 0;
          finish();
          continue;
        }
        keep = size <= maxSize ? Buffer.allocUnsafe(size) : undefined;
        if (need === 0) finish();
        continue;
      }
      const take = Math.min(need, chunk.length - off);
      if (keep) chunk.copy(keep, filled, off, off + take);
      filled += take;
      need -= take;
      off += take;
      if (need === 0) finish();
    }
  });
  function finish() {
    const p = queue.shift();
    need = -1;
    trailer = true;
    if (!p) return;
    if (keep) p.resolve({ kind: 'ok', bytes: keep });
    else p.resolve({ kind: 'too-large', size });
    keep = undefined;
  }
  const request: BlobReader['request'] = (name, onRead, onError) => {
    if (failed) {
      const e = failed;
      queueMicrotask(() => onError(e));
      return;
    }
    queue.push({ resolve: onRead, reject: onError });
    if (outgoing === '') queueMicrotask(send);
    outgoing += `${name}\n`;
  };
  return {
    read: readWith(request),
    request,
    close() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        send();
        child.stdin.end();
      });
    },
  };
}

/** Decodes a path as git prints it in patches and raw output: "C-quoted" when unusual. */
export function unquotePath(s: string): string {
  if (!s.startsWith('"') || !s.endsWith('"') || s.length < 2) return s;
  const bytes: number[] = [];
  const body = s.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(simple[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The file a `+++ b/path` (or `--- a/path`) line names; undefined for /dev/null. */
export function patchPath(line: string): string | undefined {
  let p = line.slice(4);
  if (p === '/dev/null') return undefined;
  if (p.endsWith('\t')) p = p.slice(0, -1); // git appends a TAB after names containing spaces
  p = unquotePath(p);
  return p.replace(/^[ab]\//, '');
}

/**
 * Added line numbers from a `-U0` hunk header. Plain diffs: `@@ -a,b +c,d @@`; combined diffs
 * (merges, `--cc`) have more `-` ranges: their added lines are found from the body instead.
 */
export function hunkStart(line: string): { start: number; count: number; parents: number } | undefined {
  const m = /^(@@+) (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @@/.exec(line);
  if (!m) return undefined;
  return { start: Number(m[2]), count: m[3] === undefined ? 1 : Number(m[3]), parents: m[1].length - 1 };
}

/**
 * Reads a patch (plain or combined) and returns, per file, the result-side line numbers that are
 * new: for a plain diff the `+` lines, for a combined diff the lines added against every parent.
 * Calls `onFile` as each file's section ends so a long log never has to be held in memory.
 */
export function addedLinesParser(onFile: (path: string, lines: Set<number>) => void) {
  let path: string | undefined;
  let lines: Set<number> | undefined;
  let line = 0;
  let parents = 1;
  let inHunk = false;
  const flush = () => {
    if (path !== undefined && lines && lines.size) onFile(path, lines);
    path = undefined;
    lines = undefined;
    inHunk = false;
  };
  return {
    line(text: string) {
      if (inHunk) {
        const prefix = text.slice(0, parents);
        if (prefix.length === parents && /^[ +-]+$/.test(prefix)) {
          if (prefix.includes('-')) return; // not in the result
          if (!prefix.includes(' ')) lines!.add(line); // new against every parent
          line++;
          return;
        }
        if (text.startsWith('\\')) return; // "\ No newline at end of file"
        inHunk = false;
      }
      if (text.startsWith('diff ')) {
        flush();
        lines = new Set();
      } else if (text.startsWith('+++ ') && lines) {
        path = patchPath(text);
      } else if (text.startsWith('@@') && lines) {
        const h = hunkStart(text);
        if (!h) return;
        parents = h.parents;
        line = h.start;
        inHunk = true;
      }
    },
    end: flush,
  };
}

/** Splits a readable stream into lines (bytes decoded as UTF-8, "\n" removed). */
export async function* readLines(stream: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (chunk as Buffer).toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/** Waits for a child to exit; a non-zero exit is a UserError naming what failed. */
export function waitFor(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new UserError(`${what}: ${firstLine(stderr) || `git exited with ${code}`}`))));
  });
}

/**
 * Ref name → commit for every ref (tags peeled), for "which refs still carry it". Asynchronous, so
 * a history walk can ask at its start and not wait for git at its end.
 */
export async function listRefs(dir: string): Promise<{ name: string; commit: string }[]> {
  const r = await gitAsync(dir, ['for-each-ref', '--format=%(objectname)%00%(*objectname)%00%(objecttype)%00%(*objecttype)%00%(refname)']);
  if (r.code !== 0) throw new UserError(`cannot list refs: ${firstLine(r.stderr) || `git exited with ${r.code}`}`);
  const out = r.stdout.toString('utf8');
  const refs: { name: string; commit: string }[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [obj, peeled, type, peeledType, name] = line.split('\0');
    const commit = type === 'commit' ? obj : peeledType === 'commit' ? peeled : undefined;
    if (commit) refs.push({ name: name.replace(/^refs\/(heads|tags|remotes)\//, ''), commit });
  }
  return refs;
}

/**
 * Blob shas at `commit:path` for many (commit, path) pairs from one `git cat-file --batch-check`
 * (paths holding a newline cannot go through its line protocol: those use ls-tree).
 */
export function blobsAtMany(dir: string, queries: { commit: string; path: string }[]): Map<string, string> {
  const found = new Map<string, string>();
  const key = (commit: string, path: string) => `${commit}:${path}`;
  const simple = queries.filter((q) => !q.path.includes('\n'));
  if (simple.length) {
    const r = gitSync(dir, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], simple.map((q) => key(q.commit, q.path)).join('\n') + '\n');
    const lines = r.stdout.toString('utf8').split('\n');
    simple.forEach((q, i) => {
      const [sha, type] = (lines[i] ?? '').split(' ');
      if (type === 'blob') found.set(key(q.commit, q.path), sha);
    });
  }
  const odd = queries.filter((q) => q.path.includes('\n'));
  for (const commit of new Set(odd.map((q) => q.commit))) {
    for (const [path, sha] of blobsAt(dir, commit, odd.filter((q) => q.commit === commit).map((q) => q.path))) found.set(key(commit, path), sha);
  }
  return found;
}

/** Blob shas at the given paths in one commit (`ls-tree` takes paths as arguments: any bytes work). */
export function blobsAt(dir: string, commit: string, paths: string[]): Map<string, string> {
  const found = new Map<string, string>();
  if (paths.length === 0) return found;
  const r = gitSync(dir, ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--full-tree', commit, '--', ...paths]);
  if (r.code !== 0) return found;
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, sha] = entry.slice(0, tab).split(' ');
    if (type === 'blob') found.set(entry.slice(tab + 1), sha);
  }
  return found;
}
