// Decoding pass: credentials hidden in base64 or percent-encoding. Encoded runs are decoded
// once and scanned again; findings point at the encoded span.

export interface EncodedRun {
  start: number;
  end: number;
  decoded: string;
  encoding: 'base64' | 'percent';
}

const BASE64_RUN = /[A-Za-z0-9+/]{32,}={0,2}|[A-Za-z0-9_-]{32,}={0,2}/g;
const PERCENT_RUN = /(?:[A-Za-z0-9._~+=&:/-]*%[0-9A-Fa-f]{2}){2,}[A-Za-z0-9._~+=&:/-]*/g;

function mostlyPrintable(text: string): boolean {
  if (text.length < 16) return false;
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return printable / text.length > 0.95;
}

/** Runs of base64 that decode to text, skipping integrity hashes, data URIs and source maps. */
export function encodedRuns(text: string, maxRuns = 200): EncodedRun[] {
  const runs: EncodedRun[] = [];
  BASE64_RUN.lastIndex = 0;
  for (let m = BASE64_RUN.exec(text); m && runs.length < maxRuns; m = BASE64_RUN.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 8), m.index);
    if (/sha(?:1|256|384|512)-$|base64,$/.test(before)) continue;
    const value = m[0];
    if (value.length > 100_000) continue;
    const decoded = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64').toString('utf8');
    if (!mostlyPrintable(decoded)) continue;
    runs.push({ start: m.index, end: m.index + value.length, decoded, encoding: 'base64' });
  }
  if (text.includes('%')) {
    PERCENT_RUN.lastIndex = 0;
    for (let m = PERCENT_RUN.exec(text); m && runs.length < maxRuns; m = PERCENT_RUN.exec(text)) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(m[0]);
      } catch {
        continue;
      }
      if (decoded === m[0] || decoded.length < 8) continue;
      runs.push({ start: m.index, end: m.index + m[0].length, decoded, encoding: 'percent' });
    }
  }
  return runs;
}
