// Staged source (the pre-commit hook): the index version of each staged file, with the line
// numbers the staged change adds. One `git diff --cached` gives both (raw entries with the index
// blob ids, then a -U0 patch); one `git cat-file --batch` reads the blobs. Kept light: this runs
// on every commit, so it loads nothing but git and the engine.
import { addedLinesParser, blobReader, gitSync, firstLine, PLAIN_DIFF } from './git.js';
import { looksBinary } from './read.js';
import { UserError } from '../errors.js';

export interface StagedFile {
  path: string;
  /** The index version (not the working copy). */
  bytes: Buffer;
  /** 1-based line numbers the staged change adds. */
  lines: Set<number>;
}

export interface StagedResult {
  files: StagedFile[];
  notes: string[];
  binarySkipped: number;
}

export async function readStaged(dir: string, maxFileSize: number, skipPath: (path: string) => boolean): Promise<StagedResult> {
  const r = gitSync(dir, ['-c', 'core.quotePath=false', 'diff', '--cached', ...PLAIN_DIFF, '--raw', '-z', '-p', '-U0', '--no-abbrev', '--diff-filter=AMT']);
  if (r.code !== 0) throw new UserError(`cannot read the staged changes: ${firstLine(r.stderr)}`);
  const out = r.stdout;
  // Raw part: ":meta\0path\0" pairs, ended by an empty token; the patch follows as text.
  const entries = new Map<string, { blob: string; mode: string }>();
  let off = 0;
  while (off < out.length && out[off] === 0x3a /* ':' */) {
    const metaEnd = out.indexOf(0, off);
    const pathEnd = out.indexOf(0, metaEnd + 1);
    if (metaEnd < 0 || pathEnd < 0) break;
    const [, newMode, , blob] = out.subarray(off + 1, metaEnd).toString('latin1').split(' ');
    entries.set(out.subarray(metaEnd + 1, pathEnd).toString('utf8'), { blob, mode: newMode });
    off = pathEnd + 1;
  }
  if (out[off] === 0) off++; // the empty token that ends the raw part
  const notes: string[] = [];
  const wanted: { path: string; blob: string; lines: Set<number> }[] = [];
  const patch = addedLinesParser((path, lines) => {
    const e = entries.get(path);
    if (!e) return;
    if (e.mode === '160000') notes.push(`skipped submodule ${path}`);
    else if ((e.mode === '100644' || e.mode === '100755') && !skipPath(path)) wanted.push({ path, blob: e.blob, lines });
  });
  for (const line of out.subarray(off).toString('utf8').split('\n')) patch.line(line);
  patch.end();

  const result: StagedResult = { files: [], notes, binarySkipped: 0 };
  if (wanted.length === 0) return result;
  const reader = blobReader(dir, maxFileSize);
  try {
    const reads = await Promise.all(wanted.map((w) => reader.read(w.blob)));
    reads.forEach((read, i) => {
      const w = wanted[i];
      if (read.kind === 'too-large') notes.push(`skipped ${w.path}: larger than --max-file-size (${read.size} bytes)`);
      else if (read.kind === 'missing') notes.push(`skipped ${w.path}: staged blob missing`);
      else if (looksBinary(read.bytes)) result.binarySkipped++;
      else result.files.push({ path: w.path, bytes: read.bytes, lines: w.lines });
    });
  } finally {
    await reader.close();
  }
  return result;
}
