// Append-only journal: one line per committed request, `<checksum> <json>\n`, fdatasync'd before
// the request is acknowledged. Syncs are grouped: one fdatasync covers every line written
// while the previous one ran, so concurrent writers share the cost. A kill -9 can only tear the last line, which open() drops; a bad
// line followed by good ones is real corruption and is reported, never silently skipped.
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export type Journal = {
  records: unknown[];
  append(record: unknown): Promise<void>; // written, not yet durable
  flushed(): Promise<void>; // resolves once everything appended so far is fdatasync'd
  rewrite(records: unknown[]): Promise<void>;
  close(): Promise<void>;
};

const sum = (json: string) => createHash('sha256').update(json).digest('hex').slice(0, 16);
const encode = (record: unknown) => {
  const json = JSON.stringify(record);
  return `${sum(json)} ${json}\n`;
};

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function parseJournal(text: string, path: string): { records: unknown[]; validBytes: number } {
  const records: unknown[] = [];
  let offset = 0;
  let validBytes = 0;
  let bad: number | undefined; // line number of a damaged line, fatal only if a good line follows
  let line = 0;
  let consumed = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break; // torn tail: the write never completed, so it was never acknowledged
    line++;
    const raw = text.slice(offset, nl);
    offset = nl + 1;
    consumed += Buffer.byteLength(raw) + 1;
    const space = raw.indexOf(' ');
    const json = raw.slice(space + 1);
    let ok = space === 16 && sum(json) === raw.slice(0, 16);
    let rec: unknown;
    if (ok) {
      try {
        rec = JSON.parse(json);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      bad ??= line;
      continue;
    }
    if (bad !== undefined) {
      throw new Error(`store journal ${path} is corrupt at line ${bad} (checksum mismatch); refusing to open`);
    }
    records.push(rec);
    validBytes = consumed;
  }
  return { records, validBytes };
}

export async function openJournal(path: string): Promise<Journal> {
  await rm(path + '.tmp', { force: true }); // an interrupted compaction; the old journal is intact
  let text = '';
  let existed = true;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    existed = false;
  }
  const { records, validBytes } = parseJournal(text, path);
  let fh: FileHandle = await open(path, 'a+', 0o600);
  if (Buffer.byteLength(text) !== validBytes) {
    await fh.truncate(validBytes);
    await fh.sync();
  }
  if (!existed) await syncDir(dirname(path));
  let size = validBytes;
  let written = 0; // lines appended
  let synced = 0; // lines known durable
  let syncing: Promise<void> | undefined;
  let broken: Error | undefined; // after a failed fdatasync nothing is trustworthy: stop writing

  async function flushed(): Promise<void> {
    const target = written;
    while (synced < target) {
      if (broken) throw broken;
      if (!syncing) {
        const upto = written;
        syncing = fh
          .datasync()
          .then(
            () => void (synced = Math.max(synced, upto)),
            (e: Error) => void (broken = new Error(`store journal ${path} could not be synced to disk: ${e.message}`)),
          )
          .finally(() => (syncing = undefined));
      }
      await syncing;
    }
    if (broken) throw broken;
  }

  return {
    records,
    async append(record) {
      if (broken) throw broken;
      const line = Buffer.from(encode(record));
      try {
        await fh.writeFile(line);
        size += line.length;
        written++;
      } catch (e) {
        // Cut a partial line off again so later records do not land behind garbage.
        await fh.truncate(size).catch(() => {});
        throw e;
      }
    },
    flushed,
    // Compaction: write the whole state to a temp file, fsync, rename over, fsync the directory.
    async rewrite(all) {
      const tmp = await open(path + '.tmp', 'w', 0o600);
      try {
        await tmp.writeFile(all.map(encode).join(''));
        await tmp.sync();
      } finally {
        await tmp.close();
      }
      await rename(path + '.tmp', path);
      await syncDir(dirname(path));
      await fh.close();
      fh = await open(path, 'a+', 0o600);
      size = (await fh.stat()).size;
    },
    async close() {
      await flushed().catch(() => {});
      await fh.close();
    },
  };
}
