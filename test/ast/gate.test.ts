// The pre-parse gate: one automaton pass plus checks where its words occur must decide exactly as
// the whole-text regexes it replaced (test/ast/gate-reference.ts), on sink examples, fixtures,
// generated snippets and, when generated, the bench corpus.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_WORDS, worthParsing } from '../../src/detect/ast/gate.js';
import { loadSinks } from '../../src/detect/ast/sinks.js';
import { isAstPath } from '../../src/detect/ast/parse.js';
import { referenceWorthParsing } from './gate-reference.js';

const sinks = loadSinks();

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Texts where the gate and the reference differ (with and without the caller's bytes), shortened for the report. */
function disagreements(texts: string[]): string[] {
  return texts
    .filter((t) => worthParsing(t, sinks) !== referenceWorthParsing(t, sinks) || worthParsing(t, sinks, Buffer.from(t, 'utf8')) !== referenceWorthParsing(t, sinks))
    .map((t) => `${referenceWorthParsing(t, sinks)}: ${t.length > 200 ? `${t.slice(0, 200)}… (${t.length} chars)` : t}`);
}

// A small deterministic generator of code-shaped text around the gate's words.
function snippets(count: number, seed: number): string[] {
  let state = seed;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)];
  const sinkWords = sinks.flatMap((s) => s.keywords ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
  const caseMix = (w: string) => [...w].map((c) => (rand(3) === 0 ? c.toUpperCase() : c)).join('');
  const pieces = [
    () => caseMix(pick(CREDENTIAL_WORDS)),
    () => caseMix(pick(sinkWords)),
    () => pick(['db', 'Pass', 'passw', 'api', 'Key', 'ur', 'conn', 'mongo', 'auth', 'x', 'my', 'é', 'İ', '\u212a', 'ſecret', '$', '_']),
    () => pick([' = ', ': ', '=', ' == ', ' => ', '"', "'", '`', '[', ']', '(', ')', '.', ',', ';', '\n', ' ', '\t', ' + ', '-', '{', '}']),
    () => pick(["'Summer2024!'", '"hunter22"', '`abc`', 'value', 'cfg.db.pw', 'process.env.X', 'Buffer.from(', '[1]', 'other', 'fn(', "require('pg')"]),
  ];
  return Array.from({ length: count }, () => Array.from({ length: 4 + rand(24) }, () => pick(pieces)()).join(''));
}

describe('AST pre-parse gate', () => {
  it('has exactly the credential words of the regex it replaced, none a prefix of another', () => {
    const regex = /pass|pwd|secret|token|auth|bearer|credential|(?:api|access|private|signing|master|hmac|encryption|app|license|client|consumer|subscription|jwt)[-_]?key|conn(?:ection)?[-_]?string|(?:database|db|mongo(?:db)?|redis|postgres|mysql)[-_]?ur[il]/iy;
    for (const w of CREDENTIAL_WORDS) {
      regex.lastIndex = 0;
      expect(regex.exec(w)?.[0]).toBe(w);
      expect(CREDENTIAL_WORDS.filter((o) => o !== w && o.startsWith(w))).toEqual([]);
    }
    expect(CREDENTIAL_WORDS.length).toBe(7 + 13 * 3 + 2 * 3 + 7 * 3 * 2);
  });

  it('decides known cases', () => {
    expect(worthParsing("const s = stripe('sk');", sinks)).toBe(true);
    expect(worthParsing("import jwt from 'jsonwebtoken';", sinks)).toBe(true);
    expect(worthParsing('client.auth(user, pw);', sinks)).toBe(true);
    expect(worthParsing('const stripeSecretKey = process.env.STRIPE;', sinks)).toBe(false);
    expect(worthParsing("const pw = 'Summer2024!';\nconst opts = { password: pw };", sinks)).toBe(true);
    expect(worthParsing('const opts = { password: pw };', sinks)).toBe(false);
    expect(worthParsing("const é = 1;\nconst pw = 'Summer2024!';\nconst opts = { PASSWORD: pw };", sinks)).toBe(true);
    expect(worthParsing('const token = req.headers.token;', sinks)).toBe(false);
    expect(worthParsing('', sinks)).toBe(false);
  });

  it('agrees with the reference on every sink example and negative example', () => {
    const texts = sinks.flatMap((s) => [...s.examples.map((e) => e.code), ...s.negative_examples.map((e) => e.code)]);
    expect(texts.length).toBeGreaterThan(50);
    expect(disagreements(texts)).toEqual([]);
  });

  it('agrees with the reference on the fixture trees', () => {
    const texts = filesUnder('fixtures').filter(isAstPath).map((p) => readFileSync(p, 'utf8'));
    expect(texts.length).toBeGreaterThan(5);
    expect(disagreements(texts)).toEqual([]);
  });

  it('agrees with the reference on generated snippets (case, separators, non-ASCII, overlaps)', () => {
    const texts = snippets(20_000, 7);
    const worth = texts.filter((t) => referenceWorthParsing(t, sinks)).length;
    expect(worth).toBeGreaterThan(500); // both answers are well represented
    expect(worth).toBeLessThan(texts.length - 500);
    expect(disagreements(texts)).toEqual([]);
  });

  const corpus = ['bench/.corpus/full/tree', 'bench/.corpus/quick/tree'].find((d) => existsSync(d));
  it.skipIf(!corpus)('agrees with the reference on the bench corpus', () => {
    const texts = filesUnder(corpus!).filter(isAstPath).map((p) => readFileSync(p, 'utf8')).filter((t) => t.length <= 512 * 1024);
    expect(disagreements(texts)).toEqual([]);
  });
});
