import { randomBytes } from 'node:crypto';
import { writeFileSync, renameSync, openSync, fsyncSync, closeSync, unlinkSync, statSync, chmodSync } from 'node:fs';
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
