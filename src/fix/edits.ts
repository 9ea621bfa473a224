// Every rewrite is data: `{ path, range, text }`. This is the one place edits touch text.
import { UserError } from '../errors.js';
import type { Edit } from '../types.js';

/**
 * Applies edits to one file's text. Ranges are UTF-16 offsets into the original text; edits
 * that overlap (or two insertions at one offset, whose order would be a guess) are refused.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  for (const e of sorted) {
    const [start, end] = e.range;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= text.length)) {
      throw new UserError(`edit out of range in ${e.path}: [${start}, ${end}) of ${text.length}`);
    }
    if (e.path !== sorted[0].path) throw new UserError(`edits of two files given together: ${sorted[0].path} and ${e.path}`);
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1].range;
    const cur = sorted[i].range;
    const bothInserts = prev[0] === prev[1] && cur[0] === cur[1] && cur[0] === prev[0];
    if (cur[0] < prev[1] || bothInserts) {
      throw new UserError(`overlapping edits in ${sorted[i].path} at offsets [${prev[0]}, ${prev[1]}) and [${cur[0]}, ${cur[1]})`);
    }
  }
  let out = '';
  let at = 0;
  for (const e of sorted) {
    out += text.slice(at, e.range[0]) + e.text;
    at = e.range[1];
  }
  return out + text.slice(at);
}

/** Edits grouped by file, in path order. */
export function editsByFile(edits: readonly Edit[]): Map<string, Edit[]> {
  const out = new Map<string, Edit[]>();
  for (const e of [...edits].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const list = out.get(e.path) ?? [];
    list.push(e);
    out.set(e.path, list);
  }
  return out;
}
