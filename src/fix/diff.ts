// Unified diffs for --dry-run, with every credential redacted: a plan is safe to paste.
import { redactLine } from '../detect/redact.js';

function lcsOps(a: string[], b: string[]): { op: ' ' | '-' | '+'; line: string }[] {
  const n = a.length;
  const m = b.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out: { op: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: ' ', line: a[i++] });
      j++;
    } else if (i < n && (j === m || dp[i + 1][j] >= dp[i][j + 1])) out.push({ op: '-', line: a[i++] });
    else out.push({ op: '+', line: b[j++] });
  }
  return out;
}

const splitLines = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

/** A unified diff of one file (context 3). `secrets` are redacted wherever they appear. */
export function unifiedDiff(path: string, before: string | null, after: string, secrets: string[]): string {
  const hide = (line: string) => secrets.reduce((l, s) => redactLine(l, s), line);
  const a = splitLines(before ?? '');
  const b = splitLines(after);
  // Common head and tail are context; only the middle needs the quadratic diff.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops = [
    ...a.slice(0, head).map((line) => ({ op: ' ' as const, line })),
    ...lcsOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((line) => ({ op: ' ' as const, line })),
  ];
  const out = [`--- ${before === null ? '/dev/null' : `a/${path}`}`, `+++ b/${path}`];
  const CONTEXT = 3;
  let k = 0;
  let ai = 0;
  let bi = 0;
  const pos: { a: number; b: number }[] = ops.map((o) => {
    const p = { a: ai, b: bi };
    if (o.op !== '+') ai++;
    if (o.op !== '-') bi++;
    return p;
  });
  while (k < ops.length) {
    while (k < ops.length && ops[k].op === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend while the next change is within 2 × context lines.
    for (;;) {
      while (end < ops.length && ops[end].op !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next].op === ' ') next++;
      if (next < ops.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    const slice = ops.slice(start, stop);
    const aLen = slice.filter((o) => o.op !== '+').length;
    const bLen = slice.filter((o) => o.op !== '-').length;
    const aStart = aLen ? pos[start].a + 1 : pos[start].a;
    const bStart = bLen ? pos[start].b + 1 : pos[start].b;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of slice) out.push(`${o.op}${hide(o.line)}`);
    k = stop;
  }
  return out.join('\n') + '\n';
}
