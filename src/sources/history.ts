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
import { blobReader, blobsAtMany, firstLine, gitAsync, gitSync, listRefs, nulSplitter, PLAIN_DIFF, PLAIN_LOG, waitFor, ZERO_SHA } from './git.js';
import { UserError } from '../errors.js';
import { spillBlobReader } from './spill-reader.js';
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
  /** HEAD's commit, when the caller knows it (else asked at the end); undefined with no commit. */
  head?: string | null;
  /** The log, when the caller started it early (startLog); else the scan starts it. */
  log?: HistoryLog;
  /** Paths never scanned (config allow.paths, --exclude, …). */
  skipPath: (path: string) => boolean;
  rules: Rule[];
  /**
   * Scans one blob's bytes as if it were at `path`; findings carry that path. Answers at once
   * when it scans in this thread; a promise when elsewhere (it must copy the bytes before it
   * returns: they are valid only until the reader's next turn).
   */
  scanBytes: (path: string, bytes: Buffer) => Finding[] | Promise<Finding[]>;
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

// Each commit's name and parents only: author, date and subject are asked at the end, for the
// few commits findings are attributed to (four fewer fields to format, pipe and decode per commit).
const FORMAT = '--format=%x01%H%x00%P';

/** What `git log` needs to know: which commits to walk. */
export type LogOptions = Pick<HistoryOptions, 'dir' | 'branches' | 'since' | 'until' | 'maxCommits'>;

/** A running `git log` whose output is held until a walk attaches (see startLog). */
export interface HistoryLog {
  /**
   * Hands each commit with its raw changes to `onCommit`, in walk order, from what was held
   * first. `pause`/`resume` stop and restart the hand-over; `done` settles once every commit
   * was handed over and git exited.
   */
  attach(onCommit: (commit: CommitRecord) => void): { pause: () => void; resume: () => void; done: Promise<void> };
  /** Ends git early (the scan failed, or never attached); a no-op once it exited. */
  stop(): void;
}

/** Log output held while no walk takes it (or the walk paused), before git is made to wait. */
const HELD_MAX = 8 * 1024 * 1024;

/**
 * Starts `git log` oldest-first (parents before children), as early as the caller can: git walks
 * every commit before its first line (`--reverse`), which then overlaps the loading of rules and
 * the detection engine. Output is held (up to 8 MiB, then git waits on the pipe) until `attach`.
 */
export function startLog(options: LogOptions): HistoryLog {
  for (const b of options.branches) {
    if (gitSync(options.dir, ['rev-parse', '--verify', '--quiet', `${b}^{commit}`]).code !== 0) throw new UserError(`--branch ${b}: no such branch or commit in ${options.dir}`);
  }
  const revs = options.branches.length ? options.branches : ['--all'];
  const args = ['-c', 'core.quotePath=false', 'log', ...revs, ...PLAIN_LOG, ...PLAIN_DIFF, '--date-order', '--reverse', '--raw', '--no-abbrev', '-m', '-z', FORMAT];
  if (options.since) args.push(`--since=${options.since}`);
  if (options.until) args.push(`--until=${options.until}`);
  if (options.maxCommits !== undefined) args.push(`--max-count=${options.maxCommits}`);
  args.push('--');
  // Into a pipe git flushes after every commit (~600 bytes), and each write costs Node an event;
  // GIT_FLUSH=0 makes it write full stdio buffers: ~7x fewer reads for the same log.
  const child = spawn('git', args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_FLUSH: '0' } });
  const exited = waitFor(child, 'git log failed');
  exited.catch(() => undefined); // reported through `done`, once attached

  const held: Buffer[] = [];
  let heldBytes = 0;
  let ended = false;
  let take: ((chunk: Buffer) => void) | undefined;
  let finish: (() => void) | undefined;
  let paused = false;
  let handing = false;
  /** Hands held chunks to the walk while it is attached and not paused; lets git go on when there is room. */
  const handOver = () => {
    if (handing) return; // resumed from inside a hand-over: its loop goes on
    handing = true;
    try {
      while (take && !paused && held.length) {
        const chunk = held.shift()!;
        heldBytes -= chunk.length;
        take(chunk);
      }
    } finally {
      handing = false;
    }
    if (heldBytes < HELD_MAX && child.stdout.isPaused() && !ended) child.stdout.resume();
    if (ended && held.length === 0 && finish) {
      const f = finish;
      finish = undefined;
      f();
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes >= HELD_MAX) child.stdout.pause();
    handOver();
  });
  child.stdout.on('end', () => {
    ended = true;
    handOver();
  });

  return {
    attach(onCommit) {
      // Token state machine: a header is "\x01sha" then parents; then pairs of ":meta" and path.
      // `-m` repeats a merge's header once per parent.
      let current: CommitRecord | undefined;
      let sha: string | undefined;
      let meta: string | undefined;
      const split = nulSplitter((token) => {
        let s = token;
        if (sha !== undefined) {
          const parents = s;
          const name = sha;
          sha = undefined;
          if (current?.info.sha === name) return; // the same merge, diffed against its next parent
          if (current) onCommit(current);
          current = { info: { sha: name, author: '', email: '', date: '', subject: '' }, merge: parents.includes(' '), entries: [] };
          return;
        }
        if (meta !== undefined) {
          // ":oldMode newMode oldBlob newBlob status" (modes are six digits).
          const a = meta.indexOf(' ', 15);
          const b = meta.indexOf(' ', a + 1);
          current?.entries.push({ oldMode: meta.slice(1, 7), newMode: meta.slice(8, 14), oldBlob: meta.slice(15, a), newBlob: meta.slice(a + 1, b), status: meta.slice(b + 1), path: s });
          meta = undefined;
          return;
        }
        if (s.startsWith('\n')) s = s.slice(1);
        if (s.charCodeAt(0) === 1) sha = s.slice(1);
        else if (s.charCodeAt(0) === 58) meta = s; // ':'
      });
      const handed = new Promise<void>((resolve) => {
        finish = () => {
          split.end();
          if (current) onCommit(current);
          current = undefined;
          resolve();
        };
      });
      take = (chunk) => split.push(chunk);
      queueMicrotask(handOver); // what was held, once the caller has its controls
      return {
        pause: () => {
          paused = true;
        },
        resume: () => {
          paused = false;
          queueMicrotask(handOver);
        },
        done: Promise.all([handed, exited]).then(() => undefined),
      };
    },
    stop: () => {
      if (child.exitCode === null) child.kill();
    },
  };
}

/** Author, email, date and subject of commits, by name (one git call, while other work goes on). */
async function commitInfos(dir: string, shas: string[]): Promise<Map<string, CommitInfo>> {
  const infos = new Map<string, CommitInfo>();
  if (shas.length === 0) return infos;
  const r = await gitAsync(dir, ['log', '--no-walk=unsorted', '--stdin', ...PLAIN_LOG, '--no-color', '--format=%H%x00%an%x00%ae%x00%aI%x00%s'], `${shas.join('\n')}\n`);
  if (r.code !== 0) throw new UserError(`git log failed: ${firstLine(r.stderr) || `git exited with ${r.code}`}`);
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const [sha, author, email, date, subject] = line.split('\0');
    if (subject !== undefined) infos.set(sha, { sha, author, email, date, subject });
  }
  return infos;
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
/** Commits parsed but not yet attributed before the log is paused. */
const WINDOW = 512;

/** One blob scanned as if at a path with this signature: its findings, undefined while in flight. */
interface Verdict {
  sig: string;
  findings: Finding[] | undefined;
}

/** A blob a commit added at a path, and the verdict its findings come from. */
interface Work {
  entry: RawEntry;
  verdict: Verdict;
}

/**
 * What the walk knows about one blob, kept for the whole walk (one per unique blob, so it is
 * small): the verdict under the first signature it was scanned with and the first path it was
 * added at — nearly every blob has one of each — and any others beside, made only when needed.
 */
interface BlobState extends Verdict {
  path: string;
  more: { verdicts: Verdict[]; paths: Set<string> } | undefined;
}

/** The blob's verdict for a signature, if it was scanned (or is being scanned) under it. */
function verdictOf(state: BlobState, sig: string): Verdict | undefined {
  return state.sig === sig ? state : state.more?.verdicts.find((v) => v.sig === sig);
}

/** Adds `path` to the blob's paths; false if it was there already. */
function addPath(state: BlobState, path: string): boolean {
  if (state.path === path) return false;
  const paths = (state.more ??= { verdicts: [], paths: new Set() }).paths;
  return paths.size !== paths.add(path).size;
}

/**
 * A blob name as a string of its own: a slice of the log's ":mode mode old new status" token
 * would keep that whole token alive as long as the walk keeps the name (~95 bytes per blob).
 */
function ownString(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

export async function scanHistory(options: HistoryOptions): Promise<HistoryResult> {
  const { dir, rules } = options;
  const notes: string[] = [];
  const result: HistoryResult = { findings: [], notes, commits: 0, blobs: 0, bytes: 0, binarySkipped: 0 };
  // Which refs exist is asked now and used at the end (markSurvivors).
  const refs = listRefs(dir);
  refs.catch(() => undefined); // awaited at the end
  // Bulk reads go through a spill file where one can be made (see spill-reader.ts).
  const reader = spillBlobReader(dir, options.maxFileSize) ?? blobReader(dir, options.maxFileSize);
  const blobs = new Map<string, BlobState>();
  const submodules = new Set<string>();
  const records = new Map<string, FindingRecord>();
  // Per path: its signature, and one string for it that every blob added there shares (the log
  // makes a new string each time a path is named).
  const signatures = new Map<string, { path: string; sig: string }>();
  const pathInfo = (path: string) => {
    let info = signatures.get(path);
    if (info === undefined) signatures.set(path, (info = { path, sig: computeSignature(rules, path) }));
    return info;
  };
  const findingsAt = (blob: string, path: string) => {
    const state = blobs.get(blob);
    return state && verdictOf(state, pathInfo(path).sig)?.findings;
  };

  const scannable = (mode: string, path: string) => {
    if (mode === '160000') {
      if (!submodules.has(path)) notes.push(`skipped submodule ${path} (scan its own repository)`);
      submodules.add(path);
      return false;
    }
    return (mode === '100644' || mode === '100755') && !options.skipPath(path);
  };

  /** Called in walk order (oldest first) once a commit's blobs are scanned: attribution happens here. */
  function attribute(commit: CommitRecord, work: Work[]) {
    let anyFound = false;
    for (let i = 0; i < work.length && !anyFound; i++) anyFound = work[i].verdict.findings!.length > 0;
    if (!anyFound) return; // most commits: nothing to record
    const added = work.map((w) => ({ entry: w.entry, findings: w.verdict.findings! }));
    // Secrets this commit removed from a path: one reappearing elsewhere in it is a move.
    const removed = new Map<string, string>();
    for (const entry of commit.entries) {
      if (entry.status !== 'D' && entry.status !== 'M') continue;
      if (ZERO_SHA.test(entry.oldBlob) || !scannable(entry.oldMode, entry.path)) continue;
      const old = findingsAt(entry.oldBlob, entry.path);
      if (old === undefined) continue;
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

  // Each new (blob, signature) is read and scanned once, as soon as the log names it; commits wait
  // in walk order until their blobs' verdicts are in, then are attributed.
  const queue: { commit: CommitRecord; work: Work[] }[] = [];
  let logDone = false;
  let paused = false;
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const drain = () => {
    while (queue.length && queue[0].work.every((w) => w.verdict.findings !== undefined)) {
      const { commit, work } = queue.shift()!;
      attribute(commit, work);
    }
    if (paused && queue.length <= WINDOW / 2) {
      paused = false;
      log.resume();
    }
    if (logDone && queue.length === 0) finish();
  };

  const settle = (verdict: Verdict, found: Finding[]) => {
    verdict.findings = found.length ? found : NO_FINDINGS;
    drain();
  };
  // Callbacks, not promises: three promise turns per blob were a tenth of the walk's time.
  const scan = (blob: string, path: string, verdict: Verdict) =>
    reader.request(
      blob,
      (read) => {
        try {
          if (read.kind === 'too-large') notes.push(`skipped ${path} (blob ${blob.slice(0, 12)}): larger than --max-file-size (${read.size} bytes)`);
          else if (read.kind === 'missing') notes.push(`skipped ${path} (blob ${blob.slice(0, 12)}): object missing from this clone`);
          else if (looksBinary(read.bytes)) result.binarySkipped++;
          else {
            result.blobs++;
            result.bytes += read.bytes.length;
            const found = options.scanBytes(path, read.bytes);
            if (Array.isArray(found)) settle(verdict, found);
            else found.then((f) => settle(verdict, f)).catch(fail);
            return;
          }
          settle(verdict, NO_FINDINGS);
        } catch (e) {
          fail(e);
        }
      },
      fail,
    );

  const onCommit = (commit: CommitRecord) => {
    result.commits++;
    const work: Work[] = [];
    for (const entry of commit.entries) {
      if (entry.status === 'D' || ZERO_SHA.test(entry.newBlob) || !scannable(entry.newMode, entry.path)) continue;
      const { path, sig } = pathInfo(entry.path);
      const state = blobs.get(entry.newBlob);
      if (!state) {
        const fresh: BlobState = { sig, findings: undefined, path, more: undefined };
        blobs.set(ownString(entry.newBlob), fresh);
        scan(entry.newBlob, entry.path, fresh);
        work.push({ entry, verdict: fresh });
        continue;
      }
      // A merge that keeps a parent's version adds nothing; anything else re-adding it is an occurrence.
      if (!addPath(state, path) && commit.merge) continue;
      let verdict = verdictOf(state, sig);
      if (!verdict) {
        (state.more ??= { verdicts: [], paths: new Set() }).verdicts.push((verdict = { sig, findings: undefined }));
        scan(entry.newBlob, entry.path, verdict);
      }
      work.push({ entry, verdict });
    }
    queue.push({ commit, work });
    drain(); // its verdicts may all be known already
    if (queue.length > WINDOW && !paused) {
      paused = true;
      log.pause();
    }
  };

  const running = options.log ?? startLog(options);
  const log = running.attach((commit) => {
    try {
      onCommit(commit);
    } catch (e) {
      fail(e);
    }
  });
  log.done.then(() => {
    logDone = true;
    drain();
  }).catch(fail);
  try {
    await finished;
  } finally {
    running.stop();
    await reader.close();
  }
  if (result.commits === 0 && !options.branches.length && !options.since && !options.until) notes.push('the repository has no commits yet');

  const unique = [...new Set(records.values())];
  const asked = commitInfos(dir, [...new Set(unique.map((rec) => (rec.finding.origin as { commit: CommitInfo }).commit.sha))]);
  asked.catch(() => undefined); // awaited below
  await markSurvivors(dir, unique, options.head, refs);
  const infos = await asked;
  result.findings = unique.map((rec) => {
    const origin = rec.finding.origin as Extract<Finding['origin'], { kind: 'commit' }>;
    return {
      ...rec.finding,
      origin: { ...origin, commit: infos.get(origin.commit.sha) ?? origin.commit },
      history: { ...rec.finding.history, ...(options.allOccurrences ? { occurrences: rec.occurrences } : {}) },
    };
  });
  return result;
}

/** Sets stillPresent (HEAD) and refs (every ref whose tree still has one of the secret's blobs). */
async function markSurvivors(dir: string, recs: FindingRecord[], knownHead: string | null | undefined, listed: Promise<{ name: string; commit: string }[]>): Promise<void> {
  if (recs.length === 0) return;
  const refs = await listed;
  const paths = [...new Set(recs.flatMap((r) => [...r.blobs.keys()]))];
  let headCommit = knownHead ?? undefined;
  if (knownHead === undefined) {
    const head = gitSync(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    headCommit = head.code === 0 ? head.stdout.toString('utf8').trim() : undefined;
  }
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
