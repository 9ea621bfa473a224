// The WebAssembly byte passes: the committed module matches its .wat source, and the encoded-run
// scan agrees with the plain JavaScript scan it replaced (kept below as the reference) on
// random inputs built to hit its edge cases.
import { describe, expect, it } from 'vitest';
import { rng } from '../helpers/rng.js';
import { readFileSync } from 'node:fs';
import { encodedSpans, type EncodedSpan } from '../../src/detect/decode.js';
// @ts-expect-error: a plain .mjs build script without types
import { assemble } from '../../scripts/build-wasm.mjs';

// ---- reference: the JavaScript scan that bytescan.wat's `encoded` replaced ----
const REF_MIN_BASE64 = 32;
// Bit flags per byte for base64 runs: upper, lower, digit, '+' '/', '-' '_'.
const REF_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c >= 65 && c <= 90) REF_CLASS[c] = 1;
  else if (c >= 97 && c <= 122) REF_CLASS[c] = 2;
  else if (c >= 48 && c <= 57) REF_CLASS[c] = 4;
  else if (c === 43 || c === 47) REF_CLASS[c] = 8;
  else if (c === 45 || c === 95) REF_CLASS[c] = 16;
}
const REF_MIXED = 1 | 2 | 4; // real encodings mix cases and digits; identifiers rarely do
const REF_BOTH_ALPHABETS = 8 | 16; // standard and URL-safe characters never mix

// Characters that may sit between percent escapes in an encoded value.
const REF_URLCH = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+=&:/-') REF_URLCH[ch.charCodeAt(0)] = 1;
const REF_HEX = new Uint8Array(256);
for (const ch of '0123456789abcdefABCDEF') REF_HEX[ch.charCodeAt(0)] = 1;

/** Byte spans that may hold base64 (≥ 32 chars, mixed case and digits) or ≥ 2 percent escapes. */
function referenceSpans(bytes: Uint8Array, max = 200): EncodedSpan[] {
  const spans: EncodedSpan[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n && spans.length < max) {
    const c = bytes[i];
    if (REF_CLASS[c] !== 0) {
      const start = i;
      let mask = 0; // which character classes the run uses: one OR per byte, no branches
      for (; i < n; i++) {
        const k = REF_CLASS[bytes[i]];
        if (k === 0) break;
        mask |= k;
      }
      let end = i;
      while (end < n && bytes[end] === 61 && end - i < 2) end++; // '=' padding
      if (end - start >= REF_MIN_BASE64 && (mask & REF_MIXED) === REF_MIXED && (mask & REF_BOTH_ALPHABETS) !== REF_BOTH_ALPHABETS) {
        spans.push({ start, end, encoding: 'base64' });
      } else if (bytes[i] === 37) {
        i = percentRun(bytes, start, spans);
      }
      i = Math.max(i, end);
      continue;
    }
    if (c === 37 && i + 2 < n && REF_HEX[bytes[i + 1]] && REF_HEX[bytes[i + 2]]) {
      i = percentRun(bytes, i, spans);
      continue;
    }
    i++;
  }
  return spans;
}

/** Extends a run of URL characters and %XX escapes from `start`; records it if it has ≥ 2 escapes. */
function percentRun(bytes: Uint8Array, start: number, spans: EncodedSpan[]): number {
  let i = start;
  let escapes = 0;
  const n = bytes.length;
  while (i < n) {
    if (bytes[i] === 37 && i + 2 < n && REF_HEX[bytes[i + 1]] && REF_HEX[bytes[i + 2]]) {
      escapes++;
      i += 3;
    } else if (REF_URLCH[bytes[i]]) i++;
    else break;
  }
  if (escapes >= 2) spans.push({ start, end: i, encoding: 'percent' });
  return Math.max(i, start + 1);
}


describe('bytescan.wat', () => {
  it('the committed module is the assembled .wat source (run npm run build:wasm after editing it)', async () => {
    const committed = readFileSync(new URL('../../src/detect/wasm/bytescan.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await assemble());
  });
});

describe('encoded-run scan', () => {
  const b64 = Buffer.from('token: ghp_0123456789abcdefghijABCDEFGHIJ0123').toString('base64');

  it('finds a base64 run and a percent run with exact byte spans', () => {
    const text = `a = "${b64}"; b = "p%40ss%2Fword"`;
    const start = text.indexOf(b64);
    expect(encodedSpans(Buffer.from(text))).toEqual([
      { start, end: start + b64.length, encoding: 'base64' },
      { start: text.indexOf('p%40'), end: text.indexOf('d"', start + b64.length) + 1, encoding: 'percent' },
    ]);
  });

  it('stops at `max` spans, and handles an empty input and a run at the very end', () => {
    expect(encodedSpans(Buffer.alloc(0))).toEqual([]);
    expect(encodedSpans(Buffer.from(`${b64} `.repeat(10)), 3)).toHaveLength(3);
    expect(encodedSpans(Buffer.from(`x ${b64}`))).toEqual([{ start: 2, end: 2 + b64.length, encoding: 'base64' }]);
    expect(encodedSpans(Buffer.from('x %41%4'))).toEqual([]);
    expect(encodedSpans(Buffer.from('x %41%42'))).toEqual([{ start: 2, end: 8, encoding: 'percent' }]);
  });

  it('agrees with the reference for runs of 28-34 characters at every offset in a 16-byte block, with 0-2 pads', () => {
    const alphabet = 'Ab0+Cd1/Ef2Gh3Ij4Kl5Mn6Op7Qr8St9Uv';
    let checked = 0;
    for (let offset = 0; offset < 20; offset++) {
      for (let length = 28; length <= 34; length++) {
        for (const pad of ['', '=', '==', '===']) {
          for (const after of [' ', '%41%42', '.x']) {
            const text = `${'.'.repeat(offset)}${alphabet.repeat(2).slice(0, length)}${pad}${after}${' '.repeat(40)}`;
            const bytes = Buffer.from(text);
            expect(encodedSpans(bytes), JSON.stringify(text)).toEqual(referenceSpans(bytes));
            checked += referenceSpans(bytes).length > 0 ? 1 : 0;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('agrees with the JavaScript reference on 2,000 random inputs, and on a 3 MB one', () => {
    const next = rng(99);
    // Long class runs, padding, both alphabets, escapes (valid and broken), URL characters, blanks.
    const pieces = ['A', 'b', '7', '+', '/', '-', '_', '=', '==', '%4', '%41', '%zz', '%', '.', '~', ':', ' ', '\n', '"', b64, 'QUJD', 'é'];
    const make = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(next() * pieces.length)]).join('');
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(make(Math.floor(next() * 120)));
      expect(encodedSpans(bytes, 50), `round ${round}: ${bytes.toString()}`).toEqual(referenceSpans(bytes, 50));
    }
    const big = Buffer.from(make(800_000));
    expect(big.length).toBeGreaterThan(3_000_000);
    const spans = encodedSpans(big, 4000);
    expect(spans.length).toBeGreaterThan(1000);
    expect(spans).toEqual(referenceSpans(big, 4000));
  });
});
