// TypeScript's compiled code is cached between scans (src/detect/ast/code-cache.ts): the first
// scan that parses writes the cache, later scans load from it with the same findings, and a
// corrupt or foreign cache file changes nothing but the time.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { leakfix } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const code = `import pg from 'pg';\nconst dbPw = 'Summer2024!';\nexport const pool = new pg.Pool({ host: 'db', password: dbPw });\n`;

function setup() {
  const dir = tempDir('cc');
  const cache = join(dir, 'tmp');
  mkdirSync(cache);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/db.ts'), code);
  const scan = () => {
    const r = leakfix(['scan', 'src', '--format', 'json'], { cwd: dir, env: { TMPDIR: cache } });
    expect(r.code, r.stderr).toBe(1);
    return JSON.parse(r.stdout).findings.map((f: { ruleId: string; startByte: number; endByte: number; flow?: unknown[] }) => [f.ruleId, [f.startByte, f.endByte], f.flow?.length]);
  };
  const cacheFiles = () => readdirSync(cache).filter((f) => f.startsWith('leakfix-v8-'));
  return { cache, scan, cacheFiles };
}

describe('TypeScript code cache', () => {
  it('is written by the first parsing scan and read by the next, with the same findings', () => {
    const { cache, scan, cacheFiles } = setup();
    const first = scan();
    const start = code.indexOf('Summer2024!');
    expect(first).toContainEqual(['ast.db-password', [start, start + 11], 4]);
    expect(cacheFiles()).toHaveLength(1);
    const file = join(cache, cacheFiles()[0]);
    expect(statSync(file).size).toBeGreaterThan(100_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = statSync(file).mtimeMs;
    expect(scan()).toEqual(first);
    // Accepted, so not rewritten.
    expect(statSync(file).mtimeMs).toBe(written);
  });

  it('a corrupt cache file, or one others may write, is replaced and changes no finding', () => {
    const { cache, scan, cacheFiles } = setup();
    const first = scan();
    const file = join(cache, cacheFiles()[0]);
    writeFileSync(file, 'not V8 code');
    expect(scan()).toEqual(first);
    expect(readFileSync(file).length).toBeGreaterThan(100_000);
    writeFileSync(file, 'not V8 code');
    chmodSync(file, 0o666);
    expect(scan()).toEqual(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).length).toBeGreaterThan(100_000);
  });
});
