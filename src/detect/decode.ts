// Decoding pass: credentials hidden in base64 or percent-encoding. Encoded runs are found by
// one linear scan over the bytes (a regex here cost more than all detection together), then
// decoded once and scanned again; findings point at the encoded span.

export interface EncodedSpan {
  start: number;
  end: number;
  encoding: 'base64' | 'percent';
}

export interface EncodedRun extends EncodedSpan {
  decoded: string;
}

const MIN_BASE64 = 32;
// Bit flags per byte for base64 runs: upper, lower, digit, '+' '/', '-' '_'.
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c >= 65 && c <= 90) CLASS[c] = 1;
  else if (c >= 97 && c <= 122) CLASS[c] = 2;
  else if (c >= 48 && c <= 57) CLASS[c] = 4;
  else if (c === 43 || c === 47) CLASS[c] = 8;
  else if (c === 45 || c === 95) CLASS[c] = 16;
}
const MIXED = 1 | 2 | 4; // real encodings mix cases and digits; identifiers rarely do
const BOTH_ALPHABETS = 8 | 16; // standard and URL-safe characters never mix

// Characters that may sit between percent escapes in an encoded value.
const URLCH = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+=&:/-') URLCH[ch.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const ch of '0123456789abcdefABCDEF') HEX[ch.charCodeAt(0)] = 1;

/** Byte spans that may hold base64 (≥ 32 chars, mixed case and digits) or ≥ 2 percent escapes. */
export function encodedSpans(bytes: Uint8Array, max = 200): EncodedSpan[] {
  const spans: EncodedSpan[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n && spans.length < max) {
    const c = bytes[i];
    if (CLASS[c] !== 0) {
      const start = i;
      let mask = 0; // which character classes the run uses: one OR per byte, no branches
      for (; i < n; i++) {
        const k = CLASS[bytes[i]];
        if (k === 0) break;
        mask |= k;
      }
      let end = i;
      while (end < n && bytes[end] === 61 && end - i < 2) end++; // '=' padding
      if (end - start >= MIN_BASE64 && (mask & MIXED) === MIXED && (mask & BOTH_ALPHABETS) !== BOTH_ALPHABETS) {
        spans.push({ start, end, encoding: 'base64' });
      } else if (bytes[i] === 37) {
        i = percentRun(bytes, start, spans);
      }
      i = Math.max(i, end);
      continue;
    }
    if (c === 37 && i + 2 < n && HEX[bytes[i + 1]] && HEX[bytes[i + 2]]) {
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
    if (bytes[i] === 37 && i + 2 < n && HEX[bytes[i + 1]] && HEX[bytes[i + 2]]) {
      escapes++;
      i += 3;
    } else if (URLCH[bytes[i]]) i++;
    else break;
  }
  if (escapes >= 2) spans.push({ start, end: i, encoding: 'percent' });
  return Math.max(i, start + 1);
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
