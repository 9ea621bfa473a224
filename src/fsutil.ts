import { randomBytes } from 'node:crypto';
import { writeFileSync, renameSync, openSync, fsyncSync, fstatSync, closeSync, unlinkSync, statSync, chmodSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file so readers see the old or the new content, never a partial one. Without an
 * explicit mode, a replaced file keeps its permissions (an executable hook stays executable).
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode?: number): void {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let keep = mode;
  if (keep === undefined) {
    try {
      keep = statSync(file).mode & 0o7777;
    } catch {
      /* a new file: default permissions */
    }
  }
  try {
    writeFileSync(tmp, data);
    if (keep !== undefined) chmodSync(tmp, keep); // exact, not masked by umask
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw err;
  }
}

/**
 * A cache file's bytes if it is this user's and not group- or world-writable; else undefined.
 * Caches live in the temp dir, which other users may share: a file planted there (rules that
 * match nothing, a keyword table that skips keywords, compiled code) must never be read.
 */
export function readOwnFile(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    // Checked and read through one descriptor: the name cannot be swapped in between.
    fd = openSync(file, 'r');
    if (process.platform !== 'win32') {
      const st = fstatSync(fd);
      if (st.uid !== userInfo().uid || (st.mode & 0o022) !== 0) return undefined;
    }
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
