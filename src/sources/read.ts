// Reads one working-tree file for scanning, with the guards a scan needs: size limit,
// binary sniff, unreadable files turned into notes instead of failures.
import { openSync, readSync, fstatSync, closeSync, constants } from 'node:fs';

export type ReadResult =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'skip'; reason: string };

/** A NUL in the first 8,000 bytes (Buffer's indexOf is a memchr, not a JS loop). */
export function looksBinary(bytes: Uint8Array): boolean {
  // Most texts are shorter: searched as they are, without a view object.
  if (bytes.length <= 8000 && bytes instanceof Buffer) return bytes.indexOf(0) !== -1;
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 8000)).indexOf(0) !== -1;
}

// One buffer per thread for files up to 16 MiB: a fresh buffer per file costs a page fault per
// 4 KiB (the kernel zeroes every new page), which came to a third of the read time of a scan.
const MAX_SCRATCH = 16 * 1024 * 1024;
let scratch: Buffer | undefined;
function scratchOf(size: number): Buffer {
  if (!scratch || scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(1 << 20, 2 ** Math.ceil(Math.log2(size || 1))));
  return scratch.subarray(0, size);
}

/**
 * Reads a file for scanning. With `reuse`, the bytes live in a per-thread buffer that the next
 * call overwrites: for callers that are done with them (and everything viewing them) by then.
 */
export function readForScan(abs: string, maxFileSize: number, reuse = false): ReadResult {
  let fd: number;
  try {
    // Non-blocking, so a FIFO where a tracked file used to be cannot hang the scan.
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return { kind: 'skip', reason: 'directory (submodule?)' };
    return { kind: 'skip', reason: `unreadable (${code})` };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { kind: 'skip', reason: 'directory (submodule?)' };
    if (!st.isFile()) return { kind: 'skip', reason: 'not a regular file' };
    if (st.size > maxFileSize) return { kind: 'skip', reason: `larger than --max-file-size (${st.size} > ${maxFileSize} bytes)` };
    const bytes = reuse && st.size <= MAX_SCRATCH ? scratchOf(st.size) : Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, bytes, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    const data = off === st.size ? bytes : bytes.subarray(0, off);
    if (looksBinary(data)) return { kind: 'skip', reason: 'binary' };
    return { kind: 'ok', bytes: data };
  } catch (err) {
    return { kind: 'skip', reason: `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  } finally {
    closeSync(fd);
  }
}
