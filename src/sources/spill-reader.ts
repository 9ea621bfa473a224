// A blob reader for bulk history scans. `git cat-file --batch` writes into an unlinked temporary
// file (in /dev/shm when there is one) instead of a pipe, and this side reads it in large blocks.
// Through a pipe git's per-object writes arrive as ~9,000 reads of ~6 KB for a 55 MB history,
// which cost Node ~0.35 s of a core; read from a file, the same bytes take ~0.1 s. The file is
// rotated every 32 MB (a new cat-file process, a new file), so it never holds a whole history,
// and a directory with less than 128 MB free (a container's small /dev/shm) is not used.
import { spawn, type ChildProcess } from 'node:child_process';
import { close, closeSync, existsSync, openSync, readSync, statfsSync, unlinkSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { firstLine, readWith, type BlobRead, type BlobReader } from './git.js';

const BLOCK = 4 * 1024 * 1024;
const ROTATE = 32 * 1024 * 1024;
const MIN_FREE = 4 * ROTATE;

interface Pending {
  resolve: (r: BlobRead) => void;
  reject: (e: Error) => void;
}

/** One cat-file process and the file it writes. */
interface Segment {
  child: ChildProcess;
  fd: number;
  pending: Pending[];
  /** File offset read up to. */
  pos: number;
  /** Read bytes not yet parsed: buf[used, have). */
  buf: Buffer;
  used: number;
  have: number;
  ended: boolean;
  exited: boolean;
  /** The read side of the file is closed (never twice: the number may belong to another file by then). */
  closed: boolean;
  code: number | null;
  stderr: string;
}

/** Free bytes in a directory's file system (0 when it cannot be told). */
function freeBytes(dir: string): number {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return 0;
  }
}

/** Memory-backed /dev/shm when it has room, else the temp dir when it has room, else none. */
function spillDir(): string | undefined {
  if (process.platform === 'linux' && existsSync('/dev/shm') && freeBytes('/dev/shm') >= MIN_FREE) return '/dev/shm';
  return freeBytes(tmpdir()) >= MIN_FREE ? tmpdir() : undefined;
}

/**
 * The reader (`rotateAt`: file size after which a new segment starts; tests use small ones), or
 * undefined where a spill file cannot be made (Windows cannot unlink an open file; no temp dir
 * with room): the caller then reads through a pipe.
 *
 * Contract: an answer's bytes are a view of a reused buffer, valid until the reader's next turn
 * (setImmediate). Scan them, or copy them, in the continuation of `read`.
 */
export function spillBlobReader(cwd: string, maxSize: number, options: { rotateAt?: number } = {}): BlobReader | undefined {
  const rotateAt = options.rotateAt ?? ROTATE;
  if (process.platform === 'win32') return undefined;
  const segments: Segment[] = [];
  let failed: Error | undefined;
  let outgoing = '';
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  // Views handed out since the readers last had a turn.
  let lent = false;
  let yielded = false;
  const later = () => {
    if (yielded) return;
    yielded = true;
    setImmediate(() => {
      yielded = false;
      pump();
    });
  };

  const fail = (e: Error) => {
    failed ??= e;
    for (const s of segments) for (const p of s.pending.splice(0)) p.reject(e);
  };

  const open = (): Segment | undefined => {
    let fd: number | undefined;
    let writeFd: number | undefined;
    const dir = spillDir();
    if (!dir) return undefined;
    try {
      const file = join(dir, `leakfix-blobs-${process.pid}-${Math.random().toString(36).slice(2)}`);
      writeFd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      fd = openSync(file, 'r');
      unlinkSync(file); // gone from the directory at once: nothing is left behind, whatever happens
      const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', writeFd, 'pipe'] });
      const seg: Segment = { child, fd, pending: [], pos: 0, buf: Buffer.alloc(0), used: 0, have: 0, ended: false, exited: false, closed: false, code: null, stderr: '' };
      child.stderr!.on('data', (d: Buffer) => (seg.stderr += d.toString('utf8')));
      child.on('error', fail);
      child.stdin!.on('error', () => undefined); // reported through 'close'
      child.on('close', (code) => {
        seg.exited = true;
        seg.code = code;
        pump();
      });
      return seg;
    } catch {
      if (fd !== undefined) closeSync(fd);
      return undefined;
    } finally {
      if (writeFd !== undefined) closeSync(writeFd); // git holds its own copy
    }
  };

  const closeSegment = (seg: Segment) => {
    if (seg.closed) return;
    seg.closed = true;
    // Closing the last descriptor of an unlinked file frees its pages (tens of MB): on the libuv
    // pool, not on this thread. Nothing here uses the number again.
    close(seg.fd, () => undefined);
  };

  const first = open();
  if (!first) return undefined;
  segments.push(first);

  const send = () => {
    if (outgoing === '') return;
    segments[segments.length - 1].child.stdin!.write(outgoing);
    outgoing = '';
  };

  /** Hands out every answer the head segment's file holds; reads on while answers are due. */
  function pump(): void {
    timer = undefined;
    while (segments.length) {
      const seg = segments[0];
      parse(seg);
      if (seg.pending.length === 0) {
        if (!seg.ended) return; // the newest segment, waiting for requests
        if (!seg.exited) return; // its process still finishing
        closeSegment(seg);
        segments.shift();
        continue;
      }
      // Answers are due: read on, after `have`. When the buffer is nearly full its unparsed rest
      // moves to the front, over answers handed out as views: only once their readers have had
      // their turn (see the contract above), so the buffer is reused, not reallocated.
      if (seg.buf.length - seg.have < 64 * 1024) {
        if (lent) {
          lent = false;
          later();
          return;
        }
        const left = seg.have - seg.used;
        if (left * 2 > seg.buf.length || seg.buf.length < BLOCK) {
          const next = Buffer.allocUnsafeSlow(Math.max(BLOCK, left * 2));
          seg.buf.copy(next, 0, seg.used, seg.have);
          seg.buf = next;
        } else seg.buf.copyWithin(0, seg.used, seg.have);
        seg.used = 0;
        seg.have = left;
      }
      const n = readSync(seg.fd, seg.buf, seg.have, seg.buf.length - seg.have, seg.pos);
      seg.have += n;
      seg.pos += n;
      if (n > 0) continue;
      if (seg.exited) return fail(new UserError(`git cat-file stopped (exit ${seg.code}): ${firstLine(seg.stderr)}`));
      timer ??= setTimeout(pump, 1); // git is still writing
      return;
    }
  }

  /** Answers whole in the buffer: "<sha> <type> <size>\n<content>\n", or "<name> missing\n". */
  function parse(seg: Segment): void {
    while (seg.pending.length) {
      const nl = seg.buf.indexOf(10, seg.used);
      if (nl === -1 || nl >= seg.have) return;
      // "<name> <type> <size>": the size is the digits after the last of two spaces; anything
      // else ("<name> missing", "<name> ambiguous") means no content follows.
      const buf = seg.buf;
      let size = 0;
      let at = nl;
      for (let scale = 1; at > seg.used && buf[at - 1] >= 48 && buf[at - 1] <= 57; at--, scale *= 10) size += (buf[at - 1] - 48) * scale;
      if (at === nl || buf[at - 1] !== 32 || buf.lastIndexOf(32, at - 2) < seg.used) {
        seg.used = nl + 1;
        seg.pending.shift()!.resolve({ kind: 'missing' });
        continue;
      }
      const start = nl + 1;
      if (size > maxSize) {
        // Skipped, never buffered: move the read offset past it.
        const inBuffer = seg.have - start;
        if (inBuffer >= size + 1) seg.used = start + size + 1;
        else {
          seg.pos += size + 1 - inBuffer;
          seg.used = seg.have; // nothing of it is kept; reading resumes after it
        }
        seg.pending.shift()!.resolve({ kind: 'too-large', size });
        continue;
      }
      if (start + size + 1 > seg.have) return; // not all there yet
      seg.used = start + size + 1;
      seg.pending.shift()!.resolve({ kind: 'ok', bytes: seg.buf.subarray(start, start + size) });
      lent = true;
    }
  }

  const request: BlobReader['request'] = (name, resolve, reject) => {
    if (failed) {
      const e = failed;
      queueMicrotask(() => reject(e));
      return;
    }
    let seg = segments[segments.length - 1];
    if (seg.pos >= rotateAt && !closing) {
      // A new file for what comes next; the old one is read to its end, then closed.
      const fresh = open();
      if (fresh) {
        send();
        seg.child.stdin!.end();
        seg.ended = true;
        segments.push(fresh);
        seg = fresh;
      }
    }
    seg.pending.push({ resolve, reject });
    if (outgoing === '')
      queueMicrotask(() => {
        send();
        timer ??= setTimeout(pump, 0);
      });
    outgoing += `${name}\n`;
  };
  return {
    read: readWith(request),
    request,
    close() {
      closing = true;
      send();
      if (timer) clearTimeout(timer);
      return Promise.all(
        segments.map(
          (seg) =>
            new Promise<void>((resolve) => {
              const done = () => {
                closeSegment(seg);
                resolve();
              };
              if (seg.exited) return done();
              seg.child.once('close', done);
              seg.child.stdin!.end();
            }),
        ),
      ).then(() => undefined);
    },
  };
}
