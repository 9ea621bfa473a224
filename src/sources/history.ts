// Full-history source: one `git log --raw` pass, oldest first, says which commit introduced
// which blob at which path; each unique blob is then read once from a long-lived
// `git cat-file --batch` and scanned once. Findings are attributed to the earliest commit that
// introduced the secret at its path (parents before children; unrelated lines of history by
// commit date, so a later cherry-pick never takes the credit); later commits (edits, reverts, cherry-picks, merges, moves)
// become occurrences of the same finding. Memory holds the per-blob verdicts and the findings,
// never the history itself: the log is consumed as a stream with a bounded window.
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fingerprint } from '../detect/redact.js';
import { looksBinary } from './read.js';
import { blobReader, blobsAtMany, gitSync, listRefs, nulSplitter, waitFor, ZERO_SHA } from './git.js';
import { UserError } from '../errors.js';
import type { CommitInfo, Finding, Rule } from '../types.js';

export interface HistoryOptions {
  dir: string;
  /** Revisions to walk (`--branch`); default every ref (`--all`). */
  branches: string[];
  since?: string;
  until?: string;
  maxCommits?: number;
  maxFileSize: number;
  allOccurrences: boolean;
  /** Paths never scanned (config allow.paths, --exclude, …). */
  skipPath: (path: string) => boolean;
  rules: Rule[];
  /** Scans one blob's bytes as if it were at `path`; findings carry that path. */
  scanBytes: (path: string, bytes: Buffer) => Promise<Finding[]>;
}

export interface HistoryResult {
  findings: Finding[];
  notes: string[];
  commits: number;
  blobs: number;
  bytes: number;
  binarySkipped: number;
}

interface RawEntry {
  oldMode: string;
  newMode: string;
  oldBlob: string;
  newBlob: string;
  status: string;
  path: string;
}

interface CommitRecord {
  info: CommitInfo;
  merge: boolean;
  entries: RawEntry[];
}

const FORMAT = '--format=%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%s';

/** Streams commits oldest-first (parents before children) with their raw changes. */
async function* commitStream(options: HistoryOptions): AsyncGenerator<CommitRecord> {
  const revs = options.branches.length ? options.branches : ['--all'];
  const args = ['-c', 'core.quotePath=false', 'log', ...revs, '--date-order', '--reverse', '--raw', '--no-renames', '--no-abbrev', '-m', '-z', '--no-color', '--no-ext-diff', FORMAT];
  if (options.since) args.push(`--since=${options.since}`);
  if (options.until) args.push(`--until=${options.until}`);
  if (options.maxCommits !== undefined) args.push(`--max-count=${options.maxCommits}`);
  args.push('--');
  const child = spawn('git', args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = waitFor(child, 'git log failed');
  exited.catch(() => undefined); // awaited below

  // Token state machine: a header is "\x01sha", parents, name, email, date, subject;
  // then pairs of ":meta" and path. `-m` repeats a merge's header once per parent.
  let ready: CommitRecord[] = [];
  let current: CommitRecord | undefined;
  let header: string[] | undefined;
  let meta: string | undefined;
  const split = nulSplitter((token) => {
    let s = token.toString('utf8');
    if (header) {
      header.push(s);
      if (header.length === 6) {
        const [sha, parents, author, email, date, subject] = header;
        header = undefined;
        if (current?.info.sha === sha) return; // the same merge, diffed against its next parent
        if (current) ready.push(current);
        current = { info: { sha, author, email, date, subject }, merge: parents.includes(' '), entries: [] };
      }
      return;
    }
    if (meta !== undefined) {
      const [oldMode, newMode, oldBlob, newBlob, status] = meta.slice(1).split(' ');
      current?.entries.push({ oldMode, newMode, oldBlob, newBlob, status, path: s });
      meta = undefined;
      return;
    }
    if (s.startsWith('\n')) s = s.slice(1);
    if (s.startsWith('\x01')) header = [s.slice(1)];
    else if (s.startsWith(':')) meta = s;
  });
  for await (const chunk of child.stdout) {
    split.push(chunk as Buffer);
    if (ready.length) {
      const out = ready;
      ready = [];
      yield* out; // the generator pauses here; the pipe fills and git waits: bounded memory
    }
  }
  split.end();
  if (current) yield current;
  await exited;
}

/** Blobs whose findings can differ only by the path's extension and path-scoped rules. */
function computeSignature(rules: Rule[], path: string): string {
  let sig = extname(path).toLowerCase();
  if (/\.map$/i.test(path)) sig += 'm';
  for (let i = 0; i < rules.length; i++) if (rules[i].pathMatch) sig += rules[i].pathMatch!(path) ? '1' : '0';
  return sig;
}

interface FindingRecord {
  finding: Finding;
  occurrences: { commit: string; path: string }[];
  /** path → blobs that carry this secret there (for "still present"). */
  blobs: Map<string, Set<string>>;
}

const NO_FINDINGS: Finding[] = [];
const WINDOW = 512;

export async function scanHistory(options: HistoryOptions): Promise<HistoryResult> {
  const { dir, rules } = options;
  const notes: string[] = [];
  const result: HistoryResult = { findings: [], notes, commits: 0, blobs: 0, bytes: 0, binarySkipped: 0 };
  for (const b of options.branches) {
    if (gitSync(dir, ['rev-parse', '--verify', '--quiet', `${b}^{commit}`]).code !== 0) throw new UserError(`--branch ${b}: no such branch or commit in ${dir}`);
  }
  const reader = blobReader(dir, options.maxFileSize);
  // blob + path signature → its findings (as scanned at the first path), or the scan in flight.
  const scanned = new Map<string, Finding[] | Promise<Finding[]>>();
  const seenPairs = new Set<string>();
  const submodules = new Set<string>();
  const records = new Map<string, FindingRecord>();
  const signatures = new Map<string, string>();
  const pathSignature = (_rules: Rule[], path: string) => {
    let sig = signatures.get(path);
    if (sig === undefined) signatures.set(path, (sig = computeSignature(rules, path)));
    return sig;
  };

  function findingsOf(blob: string, path: string): Finding[] | Promise<Finding[]> {
    const key = `${blob}:${pathSignature(rules, path)}`;
    const known = scanned.get(key);
    if (known) return known;
    const pending = reader.read(blob).then(async (read) => {
      let found = NO_FINDINGS;
      if (read.kind === 'too-large') notes.push(`skipped ${path} (blob ${blob.slice(0, 12)}): larger than --max-file-size (${read.size} bytes)`);
      else if (read.kind === 'missing') notes.push(`skipped ${path} (blob ${blob.slice(0, 12)}): object missing from this clone`);
      else if (looksBinary(read.bytes)) result.binarySkipped++;
      else {
        result.blobs++;
        result.bytes += read.bytes.length;
        const f = await options.scanBytes(path, read.bytes);
        if (f.length) found = f;
      }
      scanned.set(key, found);
      return found;
    });
    scanned.set(key, pending);
    return pending;
  }

  const scannable = (mode: string, path: string) => {
    if (mode === '160000') {
      if (!submodules.has(path)) notes.push(`skipped submodule ${path} (scan its own repository)`);
      submodules.add(path);
      return false;
    }
    return (mode === '100644' || mode === '100755') && !options.skipPath(path);
  };

  /** Called in walk order (oldest first) once a commit's blobs are scanned: attribution happens here. */
  function attribute(commit: CommitRecord, added: { entry: RawEntry; findings: Finding[] }[]) {
    // Secrets this commit removed from a path: one reappearing elsewhere in it is a move.
    const removed = new Map<string, string>();
    for (const entry of commit.entries) {
      if (entry.status !== 'D' && entry.status !== 'M') continue;
      if (ZERO_SHA.test(entry.oldBlob) || !scannable(entry.oldMode, entry.path)) continue;
      const old = scanned.get(`${entry.oldBlob}:${pathSignature(rules, entry.path)}`);
      if (!Array.isArray(old)) continue;
      const still = entry.status === 'M' ? added.find((a) => a.entry === entry)?.findings ?? NO_FINDINGS : NO_FINDINGS;
      for (const f of old) if (!still.some((s) => s.ruleId === f.ruleId && s.secret === f.secret)) removed.set(`${f.ruleId}\0${f.secret}`, entry.path);
    }
    for (const { entry, findings } of added) {
      for (const f of findings) {
        const fp = entry.path === f.path ? f.fingerprint : fingerprint(f.ruleId, entry.path, f.secret);
        let rec = records.get(fp);
        if (!rec) {
          const from = removed.get(`${f.ruleId}\0${f.secret}`);
          const moved = from !== undefined && from !== entry.path ? records.get(fingerprint(f.ruleId, from, f.secret)) : undefined;
          if (moved) {
            rec = moved;
            records.set(fp, moved);
          }
        }
        if (!rec) {
          rec = {
            finding: { ...f, path: entry.path, fingerprint: fp, origin: { kind: 'commit', commit: commit.info, blob: entry.newBlob } },
            occurrences: [],
            blobs: new Map(),
          };
          records.set(fp, rec);
        }
        const occurrence = rec.occurrences.at(-1);
        if (!(occurrence?.commit === commit.info.sha && occurrence.path === entry.path)) rec.occurrences.push({ commit: commit.info.sha, path: entry.path });
        let set = rec.blobs.get(entry.path);
        if (!set) rec.blobs.set(entry.path, (set = new Set()));
        set.add(entry.newBlob);
      }
    }
  }

  let chain: Promise<void> = Promise.resolve();
  const inflight: Promise<void>[] = [];
  try {
    for await (const commit of commitStream(options)) {
      result.commits++;
      const work: { entry: RawEntry; findings: Finding[] | Promise<Finding[]> }[] = [];
      for (const entry of commit.entries) {
        if (entry.status === 'D' || ZERO_SHA.test(entry.newBlob) || !scannable(entry.newMode, entry.path)) continue;
        const pair = `${entry.newBlob}\0${entry.path}`;
        const seen = seenPairs.has(pair);
        // A merge that keeps a parent's version adds nothing; anything else re-adding it is an occurrence.
        if (seen && commit.merge) continue;
        seenPairs.add(pair);
        work.push({ entry, findings: findingsOf(entry.newBlob, entry.path) });
      }
      const step = chain
        .then(() => Promise.all(work.map((w) => w.findings)))
        .then((lists) => attribute(commit, work.map((w, i) => ({ entry: w.entry, findings: lists[i] }))));
      chain = step;
      inflight.push(step);
      if (inflight.length > WINDOW) await inflight.shift();
    }
    await chain;
  } finally {
    await reader.close();
  }
  if (result.commits === 0 && !options.branches.length && !options.since && !options.until) notes.push('the repository has no commits yet');

  const unique = [...new Set(records.values())];
  markSurvivors(dir, unique);
  result.findings = unique.map((rec) => ({
    ...rec.finding,
    history: { ...rec.finding.history, ...(options.allOccurrences ? { occurrences: rec.occurrences } : {}) },
  }));
  return result;
}

/** Sets stillPresent (HEAD) and refs (every ref whose tree still has one of the secret's blobs). */
function markSurvivors(dir: string, recs: FindingRecord[]): void {
  if (recs.length === 0) return;
  const paths = [...new Set(recs.flatMap((r) => [...r.blobs.keys()]))];
  const head = gitSync(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  const headCommit = head.code === 0 ? head.stdout.toString('utf8').trim() : undefined;
  const refs = listRefs(dir);
  const commits = [...new Set([...(headCommit ? [headCommit] : []), ...refs.map((r) => r.commit)])];
  // One batch question for every (ref tip, path): which blob is there now?
  const at = blobsAtMany(dir, commits.flatMap((commit) => paths.map((path) => ({ commit, path }))));
  const carries = (rec: FindingRecord, commit: string) => {
    for (const [path, blobs] of rec.blobs) if (blobs.has(at.get(`${commit}:${path}`) ?? '')) return true;
    return false;
  };
  for (const rec of recs) {
    rec.finding.history = {
      stillPresent: headCommit ? carries(rec, headCommit) : false,
      refs: refs.filter((r) => carries(rec, r.commit)).map((r) => r.name),
    };
  }
}
