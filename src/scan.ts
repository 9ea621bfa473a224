// The scan pipeline, top to bottom: sources → detect → filter. No process access here.
import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { createEngine, compareFindings, detectChunk } from './detect/engine.js';
import { listFileBatches, type FileEntry } from './sources/files.js';
import { scanFilesParallel, workerInit } from './scan-files.js';
import { filterAllowedPaths, filterAllowedValues, filterBaseline, filterDisabled, filterDuplicated, pathAllowed, runPasses, type Pass } from './filter/index.js';
import type { Config } from './config/load.js';
import type { Chunk, Finding, Rule } from './types.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

export interface ScanOptions {
  config: Config;
  rules: Rule[];
  paths?: string[];
  /** Extra chunks to scan (stdin, staged blobs, history blobs). */
  chunks?: Chunk[];
  maxFileSize?: number;
  threads?: number;
  noIgnore?: boolean;
  include?: string[];
  exclude?: string[];
  baseline?: ReadonlySet<string>;
}

export interface ScanStats {
  files: number;
  bytes: number;
  binarySkipped: number;
  durationMs: number;
  /** Files parsed by the AST stage, parse failures, and time spent in it (summed over threads). */
  ast?: { parsed: number; failed: number; ms: number };
}

export interface ScanResult {
  findings: Finding[];
  notes: string[];
  stats: ScanStats;
}

export function defaultThreads(): number {
  return availableParallelism();
}

/** The filter passes every scan applies after detection, in order. */
export function filterPasses(options: Pick<ScanOptions, 'config' | 'baseline'>): Pass[] {
  const passes = [filterDisabled(options.config), filterAllowedPaths(options.config.allow.paths), filterAllowedValues(options.config.allow), filterDuplicated];
  if (options.baseline) passes.push(filterBaseline(options.baseline));
  return passes;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const { config } = options;
  const engineOptions = { generic: config.generic, decode: config.decode, ast: config.ast };
  const maxFileSize = options.maxFileSize ?? config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const allowedPath = pathAllowed(config.allow.paths);

  const roots = options.paths ?? [];
  function* listing(): Generator<FileEntry[]> {
    for (const root of roots) {
      const batches = listFileBatches(root, {
        noIgnore: options.noIgnore,
        include: [...config.include, ...(options.include ?? [])],
        exclude: [...config.exclude, ...(options.exclude ?? [])],
      });
      for (const batch of batches) yield batch.filter((e) => !allowedPath(e.path));
    }
  }
  // A directory is worth starting the workers for before its files are listed.
  const prestart = roots.some((root) => {
    try {
      return statSync(root).isDirectory();
    } catch {
      return false; // listFiles reports it
    }
  });
  const fileResult = await scanFilesParallel(workerInit(options.rules, engineOptions), listing, maxFileSize, options.threads ?? defaultThreads(), prestart);

  let findings = fileResult.findings;
  let bytes = fileResult.bytes;
  if (options.chunks?.length) {
    const engine = createEngine(options.rules, engineOptions);
    for (const chunk of options.chunks) {
      if (allowedPath(chunk.path)) continue;
      bytes += chunk.bytes?.length ?? Buffer.byteLength(chunk.text ?? '');
      findings = findings.concat(detectChunk(engine, chunk));
    }
  }
  findings = runPasses(findings, filterPasses(options)).sort(compareFindings);
  return {
    findings,
    notes: fileResult.notes,
    stats: {
      files: fileResult.files + (options.chunks?.length ?? 0),
      bytes,
      binarySkipped: fileResult.binary,
      durationMs: Math.round(performance.now() - started),
      ast: { parsed: fileResult.ast.parsed, failed: fileResult.ast.failed, ms: Math.round(fileResult.ast.ms) },
    },
  };
}
