// Scanning a list of working-tree files: the per-file step (shared by the main thread and
// worker threads) and the pool that spreads batches over cores with a deterministic result.
import { Worker } from 'node:worker_threads';
import { packageFile } from './package-root.js';
import { existsSync } from 'node:fs';
import { detectChunk, createEngine, finishDeferred, type Deferred, type Engine, type EngineOptions } from './detect/engine.js';
import { compileRule } from './rules/load.js';
import { stripCompiled } from './rules/select.js';
import { readForScan } from './sources/read.js';
import { astStats } from './detect/ast/detect.js';
import type { FileEntry } from './sources/files.js';
import type { Finding, Rule, RuleSpec } from './types.js';

export interface FileScanResult {
  findings: Finding[];
  notes: string[];
  files: number;
  bytes: number;
  binary: number;
  /** AST stage counters for these files (parsed files, time spent). */
  ast: AstCounters;
  /** Files left for the main thread because they want the AST stage (see EngineOptions.astDefer). */
  deferred: { path: string; deferred: Deferred }[];
}

export interface AstCounters {
  parsed: number;
  failed: number;
  skipped: number;
  ms: number;
}

const noAst = (): AstCounters => ({ parsed: 0, failed: 0, skipped: 0, ms: 0 });

function addAst(a: AstCounters, b: AstCounters): AstCounters {
  return { parsed: a.parsed + b.parsed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped, ms: a.ms + b.ms };
}

const emptyResult = (): FileScanResult => ({ findings: [], notes: [], files: 0, bytes: 0, binary: 0, ast: noAst(), deferred: [] });

/** astStats counts per thread: this thread's counts since `before`, so workers' shares can be summed. */
const astSince = (before: AstCounters): AstCounters => addAst(astStats, { parsed: -before.parsed, failed: -before.failed, skipped: -before.skipped, ms: -before.ms });

export function scanFileList(engine: Engine, files: FileEntry[], maxFileSize: number): FileScanResult {
  const result = emptyResult();
  const astBefore = { ...astStats };
  for (const file of files) {
    // The bytes are scanned and dropped before the next read (findings hold strings, not views).
    const read = readForScan(file.abs, maxFileSize, true);
    if (read.kind === 'skip') {
      if (read.reason === 'binary') result.binary++;
      else result.notes.push(`skipped ${file.path}: ${read.reason}`);
      continue;
    }
    const findings = detectChunk(engine, { path: file.path, bytes: read.bytes, origin: { kind: 'file' } });
    if (engine.astWanted) {
      engine.astWanted = false;
      result.deferred.push({ path: file.path, deferred: engine.deferred! });
      engine.deferred = undefined;
      continue;
    }
    result.files++;
    result.bytes += read.bytes.length;
    for (const f of findings) result.findings.push(f);
  }
  result.ast = astSince(astBefore);
  return result;
}

/**
 * The main thread's part of files a worker deferred: only their AST stage (the worker found the
 * rest and sent its hits), then findings as detectChunk would have made them.
 */
function finishDeferredFiles(init: WorkerInit, items: FileScanResult['deferred']): FileScanResult {
  const result = emptyResult();
  const astBefore = { ...astStats };
  const rules = init.rules.map((r) => r.spec);
  for (const { path, deferred } of items) {
    for (const f of finishDeferred(rules, { path, origin: { kind: 'file' } }, deferred)) result.findings.push(f);
    result.files++;
    result.bytes += deferred.size;
  }
  result.ast = astSince(astBefore);
  return result;
}

export interface WorkerInit {
  rules: { spec: RuleSpec; source: string }[];
  engine: EngineOptions;
}

/**
 * Messages to a worker: the shared index of the next job to take (first message), jobs as the
 * listing finds them (appended, in the same order for every worker), and finally the job count.
 */
export interface WorkerJobs {
  next?: SharedArrayBuffer;
  maxFileSize?: number;
  jobs?: FileEntry[][];
  total?: number;
}

export function workerInit(rules: Rule[], engine: EngineOptions): WorkerInit {
  return {
    rules: rules.map((r) => ({ spec: stripCompiled(r), source: r.source })),
    engine,
  };
}

export function engineFromInit(init: WorkerInit): Engine {
  return createEngine(init.rules.map((r) => compileRule(r.spec, r.source)), init.engine);
}

const WORKER_FILE = packageFile('dist/scan-worker.js');

/** Cuts listed files into jobs of about `target` bytes (at most 512 files) as they come. */
function jobCutter(target: number): { add: (files: FileEntry[]) => FileEntry[][]; flush: () => FileEntry[][] } {
  let current: FileEntry[] = [];
  let bytes = 0;
  return {
    add(files) {
      const out: FileEntry[][] = [];
      for (const f of files) {
        current.push(f);
        bytes += f.size;
        if (bytes >= target || current.length >= 512) {
          out.push(current);
          current = [];
          bytes = 0;
        }
      }
      return out;
    },
    flush() {
      const out = current.length ? [current] : [];
      current = [];
      bytes = 0;
      return out;
    },
  };
}

/**
 * Scans files on `threads` threads: `threads - 1` workers and this one, which lists first and
 * then takes jobs from the same counter (one isolate fewer to boot and to warm up: each compiles
 * the engine's hot code on its own). `list` may be a function yielding batches: with `prestart`,
 * the workers boot (~0.1 s each: modules, rules, prefilter) while it lists, and take jobs as soon
 * as the listing finds them.
 */
export async function scanFilesParallel(
  init: WorkerInit,
  list: FileEntry[] | (() => Iterable<FileEntry[]>),
  maxFileSize: number,
  threads: number,
  prestart = false,
): Promise<FileScanResult> {
  // Running from TypeScript sources (tests) there is no compiled worker file: one thread then.
  const parallel = threads > 1 && existsSync(WORKER_FILE);
  const workerCount = threads - 1;
  const workerData: WorkerInit = { ...init, engine: { ...init.engine, astDefer: init.engine.ast !== false } };
  // A worker may fail while this thread is still listing: keep its error for the pool below.
  const bootErrors = new Map<Worker, Error>();
  const spawn = () => {
    const worker = new Worker(WORKER_FILE, { workerData });
    worker.once('error', (err) => bootErrors.set(worker, err));
    return worker;
  };
  const workers: Worker[] = parallel && prestart ? Array.from({ length: workerCount }, spawn) : [];
  const stop = (extra: Worker[]) => Promise.all(extra.map((w) => w.terminate()));
  // Small scans (a pre-commit hook) are faster without worker start-up: files are held back until
  // there are enough of them to be worth the workers.
  const held: FileEntry[] = [];
  let heldBytes = 0;
  const worthWorkers = () => heldBytes >= 4 * 1024 * 1024 && held.length >= 64;
  const shared = new SharedArrayBuffer(4);
  const cutter = jobCutter(1024 * 1024);
  const jobs: FileEntry[][] = [];
  let started = false;
  const post = (msg: WorkerJobs) => {
    for (const w of workers) w.postMessage(msg);
  };
  const dispatch = (more: FileEntry[][]) => {
    if (more.length === 0) return;
    for (const j of more) jobs.push(j);
    post({ jobs: more });
  };
  try {
    for (const batch of typeof list === 'function' ? list() : [list]) {
      if (started) {
        dispatch(cutter.add(batch));
        continue;
      }
      for (const f of batch) {
        held.push(f);
        heldBytes += f.size;
      }
      if (parallel && worthWorkers()) {
        while (workers.length < workerCount) workers.push(spawn());
        started = true;
        post({ next: shared, maxFileSize });
        dispatch(cutter.add(held.splice(0)));
      }
    }
  } catch (err) {
    await stop(workers);
    throw err;
  }
  if (!started) {
    await stop(workers);
    return scanFileList(engineFromInit(init), held, maxFileSize);
  }
  dispatch(cutter.flush());
  post({ total: jobs.length });
  const results: FileScanResult[] = new Array(jobs.length);
  // Files a worker deferred for the AST stage are finished here, so only this thread loads TypeScript.
  const mainResults: FileScanResult[] = [];
  const done = Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const early = bootErrors.get(worker);
          if (early) return reject(early);
          worker.once('error', reject);
          worker.on('message', (msg: { id: number; result?: FileScanResult }) => {
            if (msg.id < 0) return resolve();
            results[msg.id] = msg.result!;
            if (msg.result!.deferred.length) mainResults.push(finishDeferredFiles(init, msg.result!.deferred));
          });
        }),
    ),
  );
  done.catch(() => undefined); // awaited below; a failure must not go unhandled while this thread scans
  try {
    // This thread's share: jobs by the shared counter, with its own engine (AST stage in place),
    // yielding between jobs so the workers' results and deferred files are taken in meanwhile.
    const counter = new Int32Array(shared);
    let engine: Engine | undefined;
    for (let id = Atomics.add(counter, 0, 1); id < jobs.length; id = Atomics.add(counter, 0, 1)) {
      engine ??= engineFromInit(init);
      results[id] = scanFileList(engine, jobs[id], maxFileSize);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return [...results, ...mainResults].reduce(
    (acc, r) => ({
      findings: acc.findings.concat(r.findings),
      notes: acc.notes.concat(r.notes),
      files: acc.files + r.files,
      bytes: acc.bytes + r.bytes,
      binary: acc.binary + r.binary,
      ast: addAst(acc.ast, r.ast),
      deferred: [],
    }),
    emptyResult(),
  );
}
