import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { findConfig, loadConfig, parseSize, type Config } from '../config/load.js';
import { loadRules } from '../rules/load.js';
import { selectRules } from '../rules/select.js';
import { readBaseline, toBaseline } from '../baseline.js';
import { scan, type ScanResult } from '../scan.js';
import { reporters } from '../report/index.js';
import { ruleInfoMap } from '../report/context.js';
import { writeFileAtomic } from '../fsutil.js';
import { VERSION } from '../version.js';
import picomatch from 'picomatch';
import { GENERIC_RULES } from '../detect/generic.js';
import type { IO } from '../io.js';
import type { Chunk, Rule } from '../types.js';

export interface ScanFlags {
  paths: string[];
  format: string;
  output?: string;
  config?: string;
  baseline?: string;
  showSecrets: boolean;
  maxFileSize?: string;
  noIgnore: boolean;
  rules?: string;
  include: string[];
  exclude: string[];
  quiet: boolean;
  threads?: string;
  stdinName?: string;
}

export function resolveConfig(flags: { config?: string; paths: string[] }, io: IO): Config {
  const file = flags.config ? resolve(io.cwd, flags.config) : findConfig(resolve(io.cwd, flags.paths.find((p) => p !== '-') ?? '.')) ?? findConfig(io.cwd);
  return loadConfig(file);
}

/** Rules for a scan; `--rules` narrows both pattern rules and generic detectors (via config). */
export function resolveRules(config: Config, only?: string): Rule[] {
  let rules = selectRules(config, loadRules());
  if (only) {
    const match = picomatch(only.split(',').map((s) => s.trim()).filter(Boolean));
    rules = rules.filter((r) => match(r.id));
    const generic = Object.keys(GENERIC_RULES).filter((id) => match(id));
    if (rules.length === 0 && generic.length === 0) throw new UserError(`--rules ${only}: no rule matches`);
    config.rules.disable.push(...Object.keys(GENERIC_RULES).filter((id) => !match(id)));
    if (generic.length === 0) config.generic = false;
  }
  return rules;
}

export function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError(`--threads must be a whole number from 1 to 256, got ${JSON.stringify(value)}`);
  return n;
}

/** Runs a scan as the flags describe; `extraChunks` lets git sources reuse this. */
export async function runScan(flags: ScanFlags, io: IO, extraChunks: Chunk[] = []): Promise<{ result: ScanResult; rules: Rule[] }> {
  if (!reporters[flags.format]) throw new UserError(`unknown --format ${flags.format} (use ${Object.keys(reporters).join(', ')})`);
  const config = resolveConfig(flags, io);
  const rules = resolveRules(config, flags.rules);
  const chunks = [...extraChunks];
  const paths = flags.paths.filter((p) => p !== '-');
  if (flags.paths.includes('-')) {
    const bytes = await io.readStdin();
    chunks.push({ path: flags.stdinName ?? 'stdin', bytes, origin: { kind: 'stdin' } });
  }
  const result = await scan({
    config,
    rules,
    paths,
    chunks,
    maxFileSize: flags.maxFileSize ? parseSize(flags.maxFileSize, '--max-file-size') : undefined,
    threads: parseThreads(flags.threads),
    noIgnore: flags.noIgnore,
    include: flags.include,
    exclude: flags.exclude,
    baseline: flags.baseline ? readBaseline(resolve(io.cwd, flags.baseline)) : undefined,
  });
  return { result, rules };
}

export function renderReport(format: string, result: ScanResult, rules: Rule[], flags: Pick<ScanFlags, 'showSecrets' | 'output' | 'quiet'>, io: IO): string {
  const ctx = {
    version: VERSION,
    showSecrets: flags.showSecrets,
    color: !flags.output && io.stdoutIsTTY && !io.env.NO_COLOR,
    rules: ruleInfoMap(rules),
    notes: flags.quiet ? [] : result.notes,
    stats: flags.quiet ? undefined : result.stats,
  };
  return reporters[format](result.findings, ctx);
}

export async function scanCommand(flags: ScanFlags, io: IO): Promise<number> {
  const { result, rules } = await runScan(flags, io);
  emit(flags, renderReport(flags.format, result, rules, flags, io), result.findings.length, io);
  return result.findings.length > 0 ? 1 : 0;
}

export function emit(flags: Pick<ScanFlags, 'output' | 'quiet' | 'format'>, report: string, count: number, io: IO): void {
  if (flags.output) {
    writeFileAtomic(flags.output, report);
    if (!flags.quiet) io.stderr(`leakfix: ${count} finding(s) written to ${flags.output}\n`);
  } else if (!(flags.quiet && count === 0 && flags.format === 'text')) {
    io.stdout(report);
  }
}

export async function baselineCreateCommand(flags: ScanFlags, io: IO): Promise<number> {
  const { result } = await runScan(flags, io);
  const out = flags.output ?? '.leakfix-baseline.json';
  writeFileAtomic(resolve(io.cwd, out), JSON.stringify(toBaseline(result.findings), null, 2) + '\n');
  io.stderr(`leakfix: baseline of ${result.findings.length} finding(s) written to ${out}\n`);
  return 0;
}
