// Rules with an `anchor` (rules/*.yaml) are tried only just before their keywords or literals.
// That must find exactly what the whole-text regex finds: checked for every anchored rule on
// generated text — base64 noise, the rule's own examples planted at random offsets, back to back,
// at the very start and end, and literals with no key around them.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { ANCHOR_MIN_TEXT, createEngine, detectChunk, patternHits } from '../../src/detect/engine.js';
import type { Rule } from '../../src/types.js';

const rules = loadRules();
const anchored = rules.filter((r) => r.anchor);

function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const noise = (n: number) => Array.from({ length: n }, () => B64[int(64)]).join('');
  return { int, noise, pick: <T>(xs: readonly T[]) => xs[int(xs.length)] };
}

const anchorsOf = (r: Rule) => r.anchor!.literals ?? r.keywords;
const holdsAnchor = (r: Rule, text: string) => (r.anchor!.literals ? r.anchor!.literals.some((l) => text.includes(l)) : r.keywords.some((k) => text.toLowerCase().includes(k)));

/** Findings' spans from the whole engine: anchors from the prefilter's keyword positions. */
function engineSpans(rule: Rule, text: string): [number, number][] {
  const engine = createEngine([rule], { generic: false, decode: false, ast: false });
  return detectChunk(engine, { path: 'a.txt', origin: { kind: 'file' }, bytes: Buffer.from(text, 'utf8') }).map((f) => f.range);
}

describe('anchored rules', () => {
  it('include the slow rules, and every example text holds an anchor', () => {
    expect(anchored.length).toBeGreaterThanOrEqual(20);
    for (const r of anchored) for (const ex of r.examples ?? []) expect(holdsAnchor(r, ex.text)).toBe(true);
  });

  it.each(anchored.map((r) => [r.id, r] as const))('%s finds exactly what the whole-text regex finds', (_id, rule) => {
    const g = generator(rule.id.length * 7919);
    const keys = (rule.examples ?? []).flatMap((e) => [e.secret, e.text]);
    const separators = ['', ' ', '\n', '"', '=', ';', '/', '+', '==', '@', ':', 'AccountKey=', 'https', 'Socks5H', 'xhttps', 'Server=db;', 'é', '€ ', '😀', anchorsOf(rule)[0]];
    // Keywords are found in any case; literals only as written.
    const anyCase = (s: string) => (rule.anchor!.literals ? s : [...s].map((c) => (g.int(2) ? c.toUpperCase() : c)).join(''));
    let found = 0;
    for (let round = 0; round < 300; round++) {
      const parts: string[] = [];
      const pieces = 2 + g.int(12);
      for (let k = 0; k < pieces; k++) {
        const kind = g.int(5);
        if (kind === 0) parts.push(g.pick(keys));
        else if (kind === 1) parts.push(g.pick(separators));
        else if (kind === 2) parts.push(g.noise(g.int(3000)));
        // An anchor inside noise, at or near the offset a key would have it.
        else if (kind === 3) parts.push(g.noise(Math.max(0, rule.anchor!.within - 2 + g.int(5))) + anyCase(g.pick(anchorsOf(rule))) + g.noise(g.int(20)));
        else parts.push(g.pick(keys).slice(0, 10 + g.int(60)));
      }
      let text = parts.join('');
      if (text.length < ANCHOR_MIN_TEXT) text = g.int(2) ? text + g.noise(ANCHOR_MIN_TEXT) : g.noise(ANCHOR_MIN_TEXT) + text;
      const whole = patternHits(rule, 0, text, false);
      expect(patternHits(rule, 0, text)).toEqual(whole);
      expect(engineSpans(rule, text)).toEqual(whole.map((h) => [h.start, h.end]));
      found += whole.length;
    }
    expect(found).toBeGreaterThan(30); // the generator does plant keys the rule reports
  });
});
