// Slicing before the parse (src/detect/ast/slice.ts) must change nothing but the time: the
// findings, spans and flows on a sliced text are exactly those on the whole text. Checked on the
// sink examples, fixtures, this repository's own sources and, when generated, the bench corpus.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAst } from '../../src/detect/ast/detect.js';
import { relevantSlice } from '../../src/detect/ast/slice.js';
import { flowEnds } from '../../src/detect/ast/gate.js';
import { loadSinks } from '../../src/detect/ast/sinks.js';
import { isAstPath } from '../../src/detect/ast/parse.js';

const seed = flowEnds(loadSinks());

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Sources whose findings differ between a sliced and a whole parse. */
function differing(sources: { code: string; path: string }[]): string[] {
  return sources
    .filter(({ code, path }) => JSON.stringify(detectAst(code, path, { gate: false })) !== JSON.stringify(detectAst(code, path, { gate: false, slice: false })))
    .map(({ path }) => path);
}

/** The statement lines left after slicing, without blank lines. */
const keptLines = (code: string) =>
  relevantSlice(code, seed)
    .split('\n')
    .filter((l) => l.trim());

describe('slicing before the parse', () => {
  const program = [
    "import { Pool } from 'pg';",
    "import { log } from './log.js';",
    'export function unrelated(a, b) {',
    "  log('adding');",
    '  return a + b;',
    '}',
    'const other = { retries: 3 };',
    'function openPool(pw) {',
    "  return new Pool({ host: 'db.internal', password: pw });",
    '}',
    'export class Report {',
    '  render(rows) { return rows.map((r) => r.name).join(", "); }',
    '}',
    "export const mainPool = openPool('Summer2024!');",
    'export const total = unrelated(1, 2) + other.retries;',
    '',
  ].join('\n');

  it('blanks the statements no flow passes through, keeping every offset and line', () => {
    const sliced = relevantSlice(program, seed);
    expect(sliced.length).toBe(program.length);
    expect(sliced.split('\n').length).toBe(program.split('\n').length);
    expect(keptLines(program)).toEqual([
      "import { Pool } from 'pg';",
      "import { log } from './log.js';",
      'function openPool(pw) {',
      "  return new Pool({ host: 'db.internal', password: pw });",
      '}',
      "export const mainPool = openPool('Summer2024!');",
    ]);
    // The finding (a literal passed to a local function whose parameter reaches the sink) stands.
    const [hit] = detectAst(program, 'src/db.js', { gate: false });
    expect(program.slice(hit.start, hit.end)).toBe('Summer2024!');
    expect(hit.flow.map((s) => s.name)).toEqual(['literal', 'openPool()', 'pw', 'password', 'pg']);
    expect(detectAst(program, 'src/db.js', { gate: false, slice: false })).toEqual([hit]);
  });

  it('keeps what a kept statement reads, and what reads or assigns what it declares', () => {
    const code = [
      "const base = { password: 'Winter2023?' };",
      'let cfg = base;',
      'export function config() { return cfg; }',
      'function reset() { cfg = null; }',
      'const unused = 42;',
      '',
    ].join('\n');
    expect(keptLines(code)).toEqual(["const base = { password: 'Winter2023?' };", 'let cfg = base;', 'export function config() { return cfg; }', 'function reset() { cfg = null; }']);
  });

  it('leaves a text it cannot lex alone, and type-only statements are always blanked', () => {
    const unterminated = "const a = 'open\nfunction f() {}\nconst password = 'Summer2024!';\n";
    expect(relevantSlice(unterminated, seed)).toBe(unterminated);
    const typed = "interface Login { password: string }\ntype Auth = { token: string };\nexport const password: string = 'Summer2024!';\nconst n = 1;\n";
    expect(keptLines(typed)).toEqual(["export const password: string = 'Summer2024!';"]);
  });

  it('finds exactly what a whole parse finds on every sink example and negative example', () => {
    const sources = loadSinks().flatMap((s) => [...s.examples, ...s.negative_examples].map((e) => ({ code: e.code, path: e.path ?? 'example.ts' })));
    expect(differing(sources)).toEqual([]);
  });

  it("finds exactly what a whole parse finds on the fixtures and this repository's sources", () => {
    const sources = [...filesUnder('fixtures'), ...filesUnder('src'), ...filesUnder('test')].filter(isAstPath).map((p) => ({ code: readFileSync(p, 'utf8'), path: p }));
    expect(sources.length).toBeGreaterThan(100);
    expect(differing(sources)).toEqual([]);
  });

  const corpus = ['bench/.corpus/full/tree', 'bench/.corpus/quick/tree'].find((d) => existsSync(d));
  it.skipIf(!corpus)('finds exactly what a whole parse finds on the bench corpus, and parses a fraction of it', () => {
    const sources = filesUnder(corpus!).filter(isAstPath).map((p) => ({ code: readFileSync(p, 'utf8'), path: p })).filter((s) => s.code.length <= 512 * 1024);
    expect(differing(sources)).toEqual([]);
    const kept = sources.reduce((n, s) => n + relevantSlice(s.code, seed).replace(/\s/g, '').length, 0);
    const all = sources.reduce((n, s) => n + s.code.replace(/\s/g, '').length, 0);
    expect(kept / all).toBeLessThan(0.5);
  }, 120_000);
});
