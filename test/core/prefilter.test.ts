// Keyword prefilter: the Aho-Corasick automaton agrees with a naive search on random inputs,
// and a rule whose keywords are absent never runs its regex.
import { describe, expect, it } from 'vitest';
import { rng } from '../helpers/rng.js';
import { chownSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { buildPrefilter, prefilterCacheFile } from '../../src/detect/prefilter.js';
import { createEngine, detectChunk } from '../../src/detect/engine.js';
import { compileRule } from '../../src/rules/load.js';

/** For each keyword: seen or not, and every end offset, by lower-casing and indexOf. */
function naive(keywords: string[], text: string) {
  const lower = text.toLowerCase();
  return keywords.map((k) => {
    const ends: number[] = [];
    for (let i = lower.indexOf(k); i !== -1; i = lower.indexOf(k, i + 1)) ends.push(i + k.length);
    return ends;
  });
}

function automaton(keywords: string[], text: string) {
  const pf = buildPrefilter(keywords);
  const tracked = new Uint8Array(keywords.length).fill(1);
  const positions: number[] = [];
  const ids = pf.scan(Buffer.from(text, 'latin1'), tracked, [{ ends: positions }], 1e9);
  // Each id once, in the order first seen in the text.
  expect(new Set(ids).size).toBe(ids.length);
  const firstEnd = (id: number) => Math.min(...naive(keywords, text)[id]);
  expect(ids.map(firstEnd)).toEqual(ids.map(firstEnd).sort((a, b) => a - b));
  const seen = keywords.map((_, id) => (ids.includes(id) ? 1 : 0));
  return { seen, positions };
}

describe('Aho-Corasick prefilter', () => {
  it('finds overlapping keywords and keywords sharing prefixes and suffixes', () => {
    const keywords = ['he', 'she', 'his', 'hers', 'sk_', 'sk_live_', 'live_', 'ive', 'e'];
    const text = 'ushers SK_LIVE_abc hishe';
    const { seen, positions } = automaton(keywords, text);
    expect(seen).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // Every (keyword, end) pair appears once per occurrence: positions are end offsets.
    const expected = naive(keywords, text).flat().sort((a, b) => a - b);
    expect([...positions].sort((a, b) => a - b)).toEqual(expected);
  });

  it('folds ASCII case in the text; keywords are lower-case', () => {
    const { seen } = automaton(['ghp_', 'xoxb-', 'akia'], 'GHP_ Xoxb- aKiA');
    expect(seen).toEqual([1, 1, 1]);
    expect(automaton(['ghp_'], 'ghq_ gh p_').seen).toEqual([0]);
  });

  it('agrees with a naive search on 500 random inputs', () => {
    const next = rng(2024);
    const alphabet = 'abAB_-c';
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let round = 0; round < 500; round++) {
      const keywords = [...new Set(Array.from({ length: 1 + Math.floor(next() * 8) }, () => pick(1 + Math.floor(next() * 4)).toLowerCase()))];
      const text = pick(Math.floor(next() * 200));
      const want = naive(keywords, text);
      const { seen, positions } = automaton(keywords, text);
      expect(seen, `round ${round}: ${JSON.stringify({ keywords, text })}`).toEqual(want.map((e) => (e.length ? 1 : 0)));
      expect([...positions].sort((a, b) => a - b), `round ${round}`).toEqual(want.flat().sort((a, b) => a - b));
    }
  });

  it('agrees with a naive search on long inputs, across the 128 KiB pieces and the four streams', () => {
    const next = rng(77);
    const keywords = ['password', 'ghp_', 'akia', 'xoxb-', 'sk_live_', 'ab'];
    // Plant keywords across every piece boundary (128 KiB) and stream boundary (a quarter piece).
    const size = 3 * 128 * 1024 + 12345;
    const chars = Array.from({ length: size }, () => 'xyz _-aB'[Math.floor(next() * 8)]);
    for (let b = 0; b <= size; b += 8192) {
      const word = keywords[Math.floor(next() * keywords.length)];
      const at = Math.max(0, b - Math.floor(next() * word.length));
      for (let i = 0; i < word.length && at + i < size; i++) chars[at + i] = next() < 0.5 ? word[i].toUpperCase() : word[i];
    }
    const text = chars.join('');
    const want = naive(keywords, text);
    const { seen, positions } = automaton(keywords, text);
    expect(seen).toEqual(want.map((e) => (e.length ? 1 : 0)));
    expect(positions.length).toBeGreaterThan(150);
    // In order, without sorting: offsets come back as they occur.
    expect(positions).toEqual(want.flat().sort((a, b) => a - b));
  });

  it('handles keywords with more than 64 distinct bytes, and non-ASCII keywords', () => {
    const next = rng(5);
    // ASCII symbols and letters plus CJK characters (three UTF-8 bytes each, no case).
    const symbols = Array.from({ length: 180 }, (_, i) => String.fromCharCode(i < 90 ? 33 + i : 0x4e00 + 37 * (i - 90)));
    const pick = () => symbols[Math.floor(next() * symbols.length)];
    const keywords = [...new Set(Array.from({ length: 60 }, () => (pick() + pick() + pick()).replace(/[A-Z]/g, (c) => c.toLowerCase())))];
    const parts: string[] = [];
    for (let i = 0; i < 2000; i++) parts.push(next() < 0.1 ? keywords[Math.floor(next() * keywords.length)] : pick());
    const text = parts.join('');
    // Search the UTF-8 bytes (as latin1 strings) with ASCII-only case folding, as the prefilter does.
    const hay = Buffer.from(text.replace(/[A-Z]/g, (c) => c.toLowerCase()), 'utf8').toString('latin1');
    const want = keywords.map((k) => {
      const needle = Buffer.from(k, 'utf8').toString('latin1');
      const ends: number[] = [];
      for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) ends.push(i + needle.length);
      return ends;
    });
    const distinctBytes = new Set(keywords.flatMap((k) => [...Buffer.from(k, 'utf8')]));
    expect(distinctBytes.size).toBeGreaterThan(64);
    const pf = buildPrefilter(keywords);
    const positions: number[] = [];
    const seen = pf.scan(Buffer.from(text, 'utf8'), new Uint8Array(keywords.length).fill(1), [{ ends: positions }], 1e9);
    expect(want.flat().length).toBeGreaterThan(150);
    expect([...seen].sort((a, b) => a - b)).toEqual(keywords.map((_, id) => id).filter((id) => want[id].length > 0));
    expect(positions).toEqual(want.flat().sort((a, b) => a - b));
  });

  it('sends each tracked keyword to the lists its bits name, with ids where a list keeps them', () => {
    const pf = buildPrefilter(['ab', 'b', 'abc']);
    const first = { ends: [] as number[] };
    const second = { ends: [] as number[], ids: [] as number[] };
    pf.scan(Buffer.from('xabc ab'), Uint8Array.from([1, 3, 2]), [first, second]);
    expect(first.ends).toEqual([3, 3, 7, 7]);
    expect(second).toEqual({ ends: [3, 4, 7], ids: [1, 2, 1] });
  });

  it('reports only tracked keywords in positions, and stops at maxPositions', () => {
    const pf = buildPrefilter(['aa', 'b']);
    const positions: number[] = [];
    const seen = pf.scan(Buffer.from('aaab b'), Uint8Array.from([0, 1]), [{ ends: positions }]);
    expect(seen).toEqual([0, 1]); // 'aa' ends first (at 2), then 'b'; each id once
    expect(positions).toEqual([4, 6]);
    const capped: number[] = [];
    pf.scan(Buffer.from('aaaaaa'), Uint8Array.from([1, 0]), [{ ends: capped }], 3);
    expect(capped).toEqual([2, 3, 4]);
  });
});

describe('prefilter cache file', () => {
  // A keyword set of this test's own (the cache is keyed by the keywords), big enough to be cached.
  const next = rng(99);
  const keywords = [...new Set(Array.from({ length: 120 }, () => Array.from({ length: 4 + Math.floor(next() * 6) }, () => 'abcdefghijklmnopqrstuvwxyz_-'[Math.floor(next() * 28)]).join('')))];
  const text = Buffer.from(Array.from({ length: 20_000 }, () => (next() < 0.02 ? keywords[Math.floor(next() * keywords.length)].toUpperCase() : 'abcdefghijklmnopqrstuvwxyz _-\n'[Math.floor(next() * 31)])).join(''));
  const tracked = new Uint8Array(keywords.length).fill(1);
  const run = (cache: boolean) => {
    const ends: number[] = [];
    const ids: number[] = [];
    const seen = buildPrefilter(keywords, { cache }).scan(text, tracked, [{ ends, ids }]);
    return { seen, ends, ids };
  };
  const file = prefilterCacheFile(keywords);

  it('is written once and read back to the same automaton', () => {
    rmSync(file, { force: true });
    const plain = run(false);
    expect(plain.ends.length).toBeGreaterThan(100);
    expect(existsSync(file)).toBe(false);
    expect(run(true)).toEqual(plain); // builds, writes
    const written = statSync(file).mtimeMs;
    expect(run(true)).toEqual(plain); // reads
    expect(statSync(file).mtimeMs).toBe(written);
  });

  it('is rebuilt, never followed, when damaged: cut short, or a table entry pointing outside the table', () => {
    const plain = run(false);
    run(true);
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, good.length - 4));
    expect(run(true)).toEqual(plain);
    expect(readFileSync(file)).toEqual(good); // rewritten whole
    const bad = Buffer.from(good);
    bad.writeInt32LE(0x7ffffff0, 288 + 4 * 7); // a DFA entry far past the last state
    writeFileSync(file, bad);
    expect(run(true)).toEqual(plain);
    expect(readFileSync(file)).toEqual(good);
  });

  it.runIf(process.getuid?.() === 0)("is not trusted when another user owns it (a shared temp dir)", () => {
    const plain = run(false);
    run(true);
    const planted = Buffer.from(readFileSync(file));
    planted.fill(0, 288 + 4 * 0, 288 + 4 * 64); // a table that would lose keywords
    writeFileSync(file, planted);
    chownSync(file, 4242, 4242);
    expect(run(true)).toEqual(plain);
    expect(statSync(file).uid).toBe(0); // replaced by this user's own
  });
});

describe('rules gated by their keywords', () => {
  const spec = (keywords: string[]) => ({
    id: 'custom.internal-token',
    name: 'Internal token',
    severity: 'high' as const,
    keywords,
    pattern: '\\b(?<secret>itk_[A-Za-z0-9]{20})\\b',
  });
  const text = 'config: itk_Q2w3E4r5T6y7U8i9O0pA\n';

  it('runs when one of its keywords occurs', () => {
    const engine = createEngine([compileRule(spec(['itk_']), 'test')], { generic: false, decode: false });
    const found = detectChunk(engine, { path: 'a.txt', text, origin: { kind: 'file' } });
    expect(found.map((f) => [f.ruleId, f.range, f.secret])).toEqual([['custom.internal-token', [8, 32], 'itk_Q2w3E4r5T6y7U8i9O0pA']]);
  });

  it('never runs when its keyword is absent, even though the regex would match', () => {
    const rule = compileRule(spec(['internal_token']), 'test');
    expect(rule.regex.test(text)).toBe(true);
    const engine = createEngine([rule], { generic: false, decode: false });
    // Count regex executions: the engine must not call exec at all.
    let execs = 0;
    const exec = rule.regex.exec.bind(rule.regex);
    rule.regex.exec = (s: string) => {
      execs++;
      return exec(s);
    };
    expect(detectChunk(engine, { path: 'a.txt', text, origin: { kind: 'file' } })).toEqual([]);
    expect(execs).toBe(0);
  });
});
