// Decoding pass: credentials hidden in base64 or percent-encoding. Encoded runs are found by
// one linear scan over the bytes (a regex here cost more than all detection together), then
// decoded once and scanned again; findings point at the encoded span.

import { newByteScan, TABLE_OFFSET, type ByteScan } from './wasm/instance.js';

export interface EncodedSpan {
  start: number;
  end: number;
  encoding: 'base64' | 'percent';
}

export interface EncodedRun extends EncodedSpan {
  decoded: string;
}

// The scan itself is `encoded` in wasm/bytescan.wat (≥ 32 base64 characters mixing upper case,
// lower case and digits from one alphabet, or a URL run with ≥ 2 %XX escapes); one instance per
// thread, its memory grown to the largest input seen.
const SPANS = TABLE_OFFSET;
const INPUT = SPANS + 16 * 12 * 256;
let wasm: ByteScan | undefined;

/** Byte spans that may hold base64 (≥ 32 chars, mixed case and digits) or ≥ 2 percent escapes. */
export function encodedSpans(bytes: Uint8Array, max = 200): EncodedSpan[] {
  wasm ??= newByteScan(INPUT + 64 * 1024);
  wasm.reserve(INPUT + bytes.length + 16); // the module may read a few bytes past the end
  wasm.u8.set(bytes, INPUT);
  const count = wasm.fn.encoded(INPUT, bytes.length, SPANS, Math.min(max, 16 * 256));
  const spans: EncodedSpan[] = [];
  const { i32 } = wasm;
  for (let k = 0, at = SPANS >> 2; k < count; k++, at += 3) {
    spans.push({ start: i32[at], end: i32[at + 1], encoding: i32[at + 2] === 1 ? 'base64' : 'percent' });
  }
  return spans;
}

function mostlyPrintable(text: string): boolean {
  if (text.length < 16) return false;
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return printable / text.length > 0.95;
}

/** Decodes candidate spans (offsets already in text units), skipping integrity hashes and data URIs. */
export function decodeSpans(text: string, spans: EncodedSpan[]): EncodedRun[] {
  const runs: EncodedRun[] = [];
  for (const span of spans) {
    const value = text.slice(span.start, span.end);
    let decoded: string;
    if (span.encoding === 'base64') {
      const before = text.slice(Math.max(0, span.start - 8), span.start);
      if (/sha(?:1|256|384|512)-$|base64,$/.test(before) || value.length > 100_000) continue;
      decoded = Buffer.from(value, /[-_]/.test(value) ? 'base64url' : 'base64').toString('utf8');
      if (!mostlyPrintable(decoded)) continue;
    } else {
      try {
        decoded = decodeURIComponent(value);
      } catch {
        continue;
      }
      if (decoded === value || decoded.length < 8) continue;
    }
    runs.push({ ...span, decoded });
  }
  return runs;
}

/**
 * The text span that encodes decoded[start, end) of a run: the base64 quanta or the literal
 * characters and %XX escapes behind it, so a finding points at the secret, not the whole run.
 */
export function encodedRange(run: EncodedRun, start: number, end: number, text: string): [number, number] {
  if (run.encoding === 'base64') {
    const b0 = Buffer.byteLength(run.decoded.slice(0, start), 'utf8');
    const b1 = Buffer.byteLength(run.decoded.slice(0, end), 'utf8');
    return [run.start + Math.floor(b0 / 3) * 4, Math.min(run.end, run.start + Math.ceil(b1 / 3) * 4)];
  }
  let from = run.start;
  let decoded = 0;
  for (let i = run.start; i < run.end; ) {
    let next = i + 1;
    let units = 1;
    if (text[i] === '%') {
      // One escaped character: a UTF-8 lead byte and its continuation escapes (validated by decodeURIComponent).
      const lead = parseInt(text.slice(i + 1, i + 3), 16);
      const bytes = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
      next = i + 3 * bytes;
      units = bytes === 4 ? 2 : 1;
    }
    if (decoded <= start && start < decoded + units) from = i;
    decoded += units;
    if (decoded >= end) return [from, Math.min(next, run.end)];
    i = next;
  }
  return [from, run.end];
}
