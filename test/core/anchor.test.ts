// Rules with an `anchor` (rules/*.yaml) are tried only just before their literals on large texts.
// That must find exactly what the whole-text regex finds: checked for every anchored rule on
// generated text — base64 noise, the rule's own examples planted at random offsets, back to back,
// at the very start and end, and literals with no key around them.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { ANCHOR_MIN_TEXT, patternHits } from '../../src/detect/engine.js';

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

describe('anchored rules', () => {
  it('are the slow-prefix rules, with literals their example texts hold', () => {
    expect(anchored.map((r) => r.id).sort()).toEqual(['azure.messaging-identifiable-key', 'azure.storage-identifiable-key', 'uri.basic-auth']);
    for (const r of anchored) for (const ex of r.examples ?? []) expect(r.anchor!.literals.some((l) => ex.text.includes(l))).toBe(true);
  });

  it.each(anchored.map((r) => [r.id, r] as const))('%s finds exactly what the whole-text regex finds', (_id, rule) => {
    const g = generator(rule.id.length * 7919);
    const keys = (rule.examples ?? []).flatMap((e) => [e.secret, e.text]);
    const separators = ['', ' ', '\n', '"', '=', ';', '/', '+', '==', '@', ':', 'AccountKey=', 'https', 'Socks5H', 'xhttps', rule.anchor!.literals[0]];
    let found = 0;
    for (let round = 0; round < 300; round++) {
      const parts: string[] = [];
      const pieces = 2 + g.int(12);
      for (let k = 0; k < pieces; k++) {
        const kind = g.int(5);
        if (kind === 0) parts.push(g.pick(keys));
        else if (kind === 1) parts.push(g.pick(separators));
        else if (kind === 2) parts.push(g.noise(g.int(3000)));
        // A literal inside noise, at or near the offset a key would have it.
        else if (kind === 3) parts.push(g.noise(rule.anchor!.within - 2 + g.int(5)) + g.pick(rule.anchor!.literals) + g.noise(g.int(20)));
        else parts.push(g.pick(keys).slice(0, 10 + g.int(60)));
      }
      let text = parts.join('');
      if (text.length < ANCHOR_MIN_TEXT) text = g.int(2) ? text + g.noise(ANCHOR_MIN_TEXT) : g.noise(ANCHOR_MIN_TEXT) + text;
      const whole = patternHits(rule, 0, text, false);
      expect(patternHits(rule, 0, text)).toEqual(whole);
      found += whole.length;
    }
    expect(found).toBeGreaterThan(30); // the generator does plant keys the rule reports
  });
});
