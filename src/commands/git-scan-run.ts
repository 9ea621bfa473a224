// The git scans once the repository is known (git-scan.ts): config, rules, engine and filter
// passes, then the staged, range or history source, and the blob scanner history uses.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { packageFile } from '../package-root.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import picomatch from 'picomatch';
import { parseSize, type Config } from '../config/load.js';
import { createEngine, compareFindings, detectChunk, type Engine } from '../detect/engine.js';
import { isAstPath } from '../detect/ast/index.js';
import { pathAllowed, runPasses } from '../filter/index.js';
import { readBaseline } from '../baseline.js';
import { workerInit } from '../scan-files.js';
import { parseThreads, resolveConfig, resolveRules } from './scan.js';
import { SHALLOW_NOTE, type RepoInfo } from '../sources/git.js';
import { scanHistory, type HistoryLog } from '../sources/history.js';
import { DEFAULT_MAX_FILE_SIZE, filterPasses, type ScanResult } from '../scan.js';
import type { GitScanFlags } from './git-scan.js';
import type { IO } from '../io.js';
import type { Finding, Rule } from '../types.js';

function pathFilter(config: Config, flags: GitScanFlags): (path: string) => boolean {
  const allowed = pathAllowed(config.allow.paths);
  const includes = [...config.include, ...flags.include];
  const excludes = [...config.exclude, ...flags.exclude];
  const included = includes.length ? picomatch(includes, { dot: true }) : undefined;
  const excluded = excludes.length ? picomatch(excludes, { dot: true }) : undefined;
  return (path) => allowed(path) || (included !== undefined && !included(path)) || (excluded !== undefined && excluded(path));
}

/** Scans what `which` names in `repo`; `log`: the history log git-scan.ts started. */
export async function scanRepo(
  flags: GitScanFlags,
  io: IO,
  { which, repo, log, started }: { which: 'history' | 'staged' | 'range'; repo: RepoInfo; log?: HistoryLog; started: number },
): Promise<{ result: ScanResult; rules: Rule[] }> {
  const config = resolveConfig({ config: flags.config, paths: [repo.dir] }, io);
  const rules = resolveRules(config, flags.rules);
  const engineOptions = { generic: config.generic, decode: config.decode };
  const maxFileSize = flags.maxFileSize ? parseSize(flags.maxFileSize, '--max-file-size') : config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const skipPath = pathFilter(config, flags);
  const baseline = flags.baseline ? readBaseline(resolve(io.cwd, flags.baseline)) : undefined;
  let findings: Finding[];
  let notes: string[];
  let stats: ScanResult['stats'];
  if (which === 'staged') {
    const { readStaged } = await import('../sources/staged.js');
    const staged = await readStaged(repo.dir, maxFileSize, skipPath);
    // No JS/TS staged: the taint stage would find nothing, so the engine skips its sink keywords.
    const engine = createEngine(rules, { ...engineOptions, ast: staged.files.some((f) => isAstPath(f.path)) });
    findings = staged.files.flatMap((f) => detectChunk(engine, { path: f.path, bytes: f.bytes, origin: { kind: 'staged' }, lines: f.lines }));
    notes = staged.notes;
    stats = { files: staged.files.length, bytes: staged.files.reduce((n, f) => n + f.bytes.length, 0), binarySkipped: staged.binarySkipped, durationMs: 0 };
  } else if (which === 'range') {
    const { scanRange } = await import('../sources/range.js');
    const engine = createEngine(rules, engineOptions);
    const r = await scanRange({
      repo,
      range: flags.range ?? `${flags.sinceCommit}..HEAD`,
      maxFileSize,
      allOccurrences: flags.allOccurrences,
      skipPath,
      scanBytes: (path, bytes) => detectChunk(engine, { path, bytes, origin: { kind: 'file' } }),
    });
    findings = r.findings;
    notes = r.notes;
    stats = { files: r.files, bytes: r.bytes, binarySkipped: r.binarySkipped, durationMs: 0 };
  } else {
    // git log and git cat-file keep about one core busy: by default the scan takes the rest.
    const scanner = blobScanner(rules, engineOptions, parseThreads(flags.threads) ?? Math.max(1, availableParallelism() - 1));
    try {
      const h = await scanHistory({
        dir: repo.dir,
        head: repo.head ?? null,
        branches: flags.branch,
        since: flags.since,
        until: flags.until,
        log,
        maxFileSize,
        allOccurrences: flags.allOccurrences,
        skipPath,
        rules,
        scanBytes: scanner.scan,
      });
      findings = h.findings;
      notes = h.notes;
      stats = { files: h.blobs, bytes: h.bytes, binarySkipped: h.binarySkipped, durationMs: 0 };
    } finally {
      await scanner.close();
    }
  }
  if (repo.shallow && which !== 'staged') notes.unshift(SHALLOW_NOTE);
  findings = runPasses(findings, filterPasses({ config, baseline })).sort(compareFindings);
  stats.durationMs = Math.round(performance.now() - started);
  const result: ScanResult = { findings, notes, stats };
  return { result, rules };
}

interface BlobScanner {
  /** Findings at once when scanning in this thread; a promise from a worker (bytes copied first). */
  scan: (path: string, bytes: Buffer) => Finding[] | Promise<Finding[]>;
  close: () => Promise<void>;
}

const CHUNK_WORKER = packageFile('dist/chunk-worker.js');

/**
 * History blobs scanned on `threads - 1` worker threads (the main thread, which parses git's
 * output, is the first), batched so messages stay few; in-thread for one thread or no compiled
 * worker. On two cores a worker costs more than it saves (measured: 1.15 s against 1.0 s).
 */
function blobScanner(rules: Rule[], engineOptions: { generic: boolean; decode: boolean }, threads: number): BlobScanner {
  const workers = threads > 1 && existsSync(CHUNK_WORKER) ? threads - 1 : 0;
  if (workers === 0) {
    let engine: Engine | undefined;
    // Compiled on the next turn: after the caller has started git, before its first blob arrives.
    setImmediate(() => (engine ??= createEngine(rules, engineOptions)));
    return {
      scan: (path, bytes) => detectChunk((engine ??= createEngine(rules, engineOptions)), { path, bytes, origin: { kind: 'file' } }),
      close: async () => undefined,
    };
  }
  const init = workerInit(rules, engineOptions);
  const pool = Array.from({ length: workers }, () => ({ worker: new Worker(CHUNK_WORKER, { workerData: init }), pending: 0 }));
  const waiting = new Map<number, { resolve: (f: Finding[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let batch: { id: number; path: string; bytes: Uint8Array }[] = [];
  let batchBytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!batch.length) return;
    const target = pool.reduce((a, b) => (b.pending < a.pending ? b : a));
    target.pending += batch.length;
    // One buffer per batch, moved (not cloned): many small messages cost more than the scan.
    const packed = new Uint8Array(batchBytes);
    const offsets: number[] = [];
    let at = 0;
    for (const b of batch) {
      packed.set(b.bytes, at);
      offsets.push(at);
      at += b.bytes.length;
    }
    offsets.push(at);
    target.worker.postMessage({ ids: batch.map((b) => b.id), paths: batch.map((b) => b.path), offsets, packed }, [packed.buffer]);
    batch = [];
    batchBytes = 0;
  };
  // Messages cost more than small scans: a partial batch goes out only to a worker with nothing
  // to do (right away, or as soon as one finishes); busy workers get full batches.
  const flushIfIdle = () => {
    scheduled = false;
    if (pool.some((p) => p.pending === 0)) flush();
  };
  for (const slot of pool) {
    slot.worker.on('message', (msg: { ids: number[]; answers: { id: number; findings: Finding[] }[] }) => {
      slot.pending -= msg.ids.length;
      const found = new Map(msg.answers.map((a) => [a.id, a.findings]));
      for (const id of msg.ids) {
        waiting.get(id)?.resolve(found.get(id) ?? []);
        waiting.delete(id);
      }
      if (slot.pending === 0) flush();
    });
    slot.worker.on('error', (err) => {
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    });
  }
  return {
    scan(path, bytes) {
      const id = nextId++;
      return new Promise<Finding[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // A copy: the history reader's bytes are only valid until its next turn (spill-reader.ts).
        batch.push({ id, path, bytes: Buffer.from(bytes) });
        batchBytes += bytes.length;
        if (batchBytes >= 1024 * 1024 || batch.length >= 512) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flushIfIdle);
        }
      });
    },
    async close() {
      await Promise.all(pool.map((p) => p.worker.terminate()));
    },
  };
}
