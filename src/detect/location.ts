// Offsets → lines and columns, in one place. Lines and columns are 1-based; columns count
// UTF-16 code units (SARIF's default columnKind).

export interface LineIndex {
  starts: number[];
}

export function lineIndex(text: string): LineIndex {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return { starts };
}

/** 0-based line index containing offset. */
export function lineOf(index: LineIndex, offset: number): number {
  const { starts } = index;
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function position(index: LineIndex, offset: number): { line: number; column: number } {
  const line = lineOf(index, offset);
  return { line: line + 1, column: offset - index.starts[line] + 1 };
}

export function lineText(text: string, index: LineIndex, line: number): string {
  const start = index.starts[line - 1];
  if (start === undefined) return '';
  const next = index.starts[line];
  const end = next === undefined ? text.length : next - 1;
  return text.slice(start, end).replace(/\r$/, '');
}

/** UTF-8 byte offset of a UTF-16 offset; identity for ASCII text. */
export function byteOffset(text: string, offset: number, ascii: boolean): number {
  return ascii ? offset : Buffer.byteLength(text.slice(0, offset), 'utf8');
}
