// The spill-file blob reader (src/sources/spill-reader.ts) must answer exactly as the pipe reader
// does (each answer read in its continuation, as the reader's contract says), in request order: contents byte for byte (blobs bigger than its 4 MB read block too),
// `missing` objects, blobs over the size limit skipped between others, across rotated segments;
// leave no file behind; and report a dead git.
import { readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { blobReader, type BlobRead } from '../../src/sources/git.js';
import { spillBlobReader } from '../../src/sources/spill-reader.js';
import { makeRepo, cleanup } from './repo.js';
import { rng } from '../helpers/rng.js';

afterAll(cleanup);

const spillDirs = [...(existsSync('/dev/shm') ? ['/dev/shm'] : []), tmpdir()];
const spillFiles = () => spillDirs.flatMap((d) => readdirSync(d).filter((f) => f.startsWith(`leakfix-blobs-${process.pid}-`)));

function repoWithBlobs() {
  const repo = makeRepo('spill');
  const rand = rng(42);
  const sizes = [0, 1, 100, 4095, 4096, 70_000, 5 * 1024 * 1024 + 17, ...Array.from({ length: 300 }, () => Math.floor(rand() * 20_000))];
  sizes.forEach((size, i) => {
    const bytes = Buffer.alloc(size);
    for (let k = 0; k < size; k++) bytes[k] = 32 + Math.floor(rand() * 90);
    if (size > 10) bytes[5] = 10; // a newline inside content
    repo.write(`f${i}.txt`, bytes);
  });
  repo.commit('blobs', { all: true });
  const blobs = repo.git('ls-tree', '-r', '--format=%(objectname)', 'HEAD').trim().split('\n');
  return { repo, blobs };
}

const view = (r: BlobRead) => (r.kind === 'ok' ? { kind: r.kind, hex: r.bytes.toString('base64') } : r);

describe('spill-file blob reader', () => {
  const { repo, blobs } = repoWithBlobs();
  // Some missing objects, and every blob twice, interleaved; names git must resolve (a path in a
  // commit, a short prefix), and one that is no object at all ("<name> missing" whatever it holds).
  const names = [...blobs, '0'.repeat(40), ...blobs.slice().reverse(), 'f'.repeat(40), 'HEAD:f1.txt', blobs[3].slice(0, 12), 'no such 12'];

  async function readAll(reader: ReturnType<typeof blobReader>) {
    // Each answer is looked at in its own continuation: the spill reader's bytes are views of a
    // buffer it reuses on its next turn.
    const answers = await Promise.all(names.map((n) => reader.read(n).then(view)));
    await reader.close();
    return answers;
  }

  it('answers exactly as the pipe reader, in order, over rotated segments, and leaves no file', async () => {
    const expected = await readAll(blobReader(repo.dir, 1 << 30));
    expect(expected.filter((a) => a.kind === 'missing')).toHaveLength(3);
    expect(expected.at(-3)).toEqual(expected[1]); // HEAD:f1.txt is the second blob listed
    expect(expected.at(-2)).toEqual(expected[3]);
    expect(spillFiles()).toEqual([]);
    for (const rotateAt of [undefined, 1, 300_000]) {
      const reader = spillBlobReader(repo.dir, 1 << 30, { rotateAt })!;
      expect(reader).toBeDefined();
      expect(spillFiles()).toEqual([]); // unlinked as soon as it is open
      expect(await readAll(reader)).toEqual(expected);
    }
    expect(spillFiles()).toEqual([]);
  });

  it('skips blobs over the limit without losing its place', async () => {
    const limit = 10_000;
    const expected = await readAll(blobReader(repo.dir, limit));
    expect(expected.some((a) => a.kind === 'too-large')).toBe(true);
    expect(expected.some((a) => a.kind === 'ok')).toBe(true);
    expect(await readAll(spillBlobReader(repo.dir, limit)!)).toEqual(expected);
    expect(await readAll(spillBlobReader(repo.dir, limit, { rotateAt: 50_000 })!)).toEqual(expected);
  });

  it('serves requests made while earlier answers are still being read', async () => {
    const reader = spillBlobReader(repo.dir, 1 << 30, { rotateAt: 100_000 })!;
    const got: string[] = [];
    for (const name of blobs.slice(0, 50)) {
      const first = await reader.read(name);
      got.push(view(first).kind);
      void reader.read(blobs[blobs.length - 1]); // one more in flight, never awaited
    }
    await reader.close();
    expect(got).toEqual(Array(50).fill('ok'));
  });

  it('rejects with the reason when git cannot run there', async () => {
    const reader = spillBlobReader(`${repo.dir}/no-such-dir`, 1 << 30)!;
    await expect(reader.read(blobs[0])).rejects.toThrow();
    await reader.close();
  });
});
