// The few character rules the AST stage's lexical passes share (call-gate.ts reads a call's
// arguments, slice.ts splits top-level statements): identifiers and comments.

/** A JS identifier's first character (any non-ASCII character counts: those passes only need a superset). */
export const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
export const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);

/**
 * At a `/` at `i`: the index after the comment that starts there (a line comment ends at its
 * newline, or at `limit`), -1 for a block comment that never closes, undefined when it is no comment.
 */
export function commentEnd(text: string, i: number, limit: number): number | undefined {
  const next = text.charCodeAt(i + 1);
  if (next === 47) {
    const nl = text.indexOf('\n', i);
    return nl < 0 || nl > limit ? limit : nl;
  }
  if (next !== 42) return undefined;
  const close = text.indexOf('*/', i + 2);
  return close < 0 ? -1 : close + 2;
}
