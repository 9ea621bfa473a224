// Keyword prefilter: the Aho-Corasick automaton agrees with a naive search on random inputs,
// and a rule whose keywords are absent never runs its regex.
import { describe, expect, it } from 'vitest';
import { buildPrefilter } from '../../src/detect/prefilter.js';
import { createEngine, detectChunk } from '../../src/detect/engine.js';
import { compileRule } from '../../src/rules/load.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const seen = pf.scan(Buffer.from(text, 'latin1'), tracked, positions, 1e9);
  return { seen: [...seen], positions };
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

  it('reports only tracked keywords in positions, and stops at maxPositions', () => {
    const pf = buildPrefilter(['aa', 'b']);
    const positions: number[] = [];
    const seen = pf.scan(Buffer.from('aaab b'), Uint8Array.from([0, 1]), positions);
    expect([...seen]).toEqual([1, 1]);
    expect(positions).toEqual([4, 6]);
    const capped: number[] = [];
    pf.scan(Buffer.from('aaaaaa'), Uint8Array.from([1, 0]), capped, 3);
    expect(capped).toEqual([2, 3, 4]);
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
