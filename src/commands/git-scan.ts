// `leakfix scan --history | --staged | --range`: checks the flags and the repository, starts the
// history log at once, then loads the rest (git-scan-run.ts: rules, engine, filters) while git
// walks: this module imports only git plumbing, so the log starts ~50 ms into the command.
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { repoInfo } from '../sources/git.js';
import { startLog } from '../sources/history.js';
import type { ScanFlags } from './scan.js';
import type { ScanResult } from '../scan.js';
import type { IO } from '../io.js';
import type { Finding, Rule } from '../types.js';

export interface GitScanFlags extends ScanFlags {
  history: boolean;
  staged: boolean;
  range?: string;
  sinceCommit?: string;
  branch: string[];
  since?: string;
  until?: string;
  maxCommits?: string;
  allOccurrences: boolean;
}

function mode(flags: GitScanFlags): 'history' | 'staged' | 'range' {
  const modes = [flags.history && '--history', flags.staged && '--staged', flags.range !== undefined && '--range', flags.sinceCommit !== undefined && '--since-commit'].filter(Boolean);
  if (modes.length > 1) throw new UserError(`${modes.join(' and ')} cannot be combined: pick one`);
  const historyOnly = [flags.branch.length && '--branch', flags.since && '--since', flags.until && '--until', flags.maxCommits && '--max-commits'].filter(Boolean);
  if (!flags.history && historyOnly.length) throw new UserError(`${historyOnly.join(', ')} only apply to --history`);
  if (flags.allOccurrences && flags.staged) throw new UserError('--all-occurrences applies to --history and --range');
  if (flags.paths.filter((p) => p !== '.').length > 1 || flags.paths.includes('-')) throw new UserError('a git scan takes one repository path');
  return flags.history ? 'history' : flags.staged ? 'staged' : 'range';
}

function parseMaxCommits(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--max-commits must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  return n;
}

export async function gitScanCommand(flags: GitScanFlags, io: IO): Promise<number> {
  const { result, rules, mode: which } = await runGitScan(flags, io);
  const { emit, renderReport } = await import('./scan.js');
  emit(flags, renderReport(flags.format, result, rules, flags, io), result.findings.length, io);
  if (which === 'staged' && result.findings.length > 0 && !flags.quiet) io.stderr(blockedHint(result.findings));
  return result.findings.length > 0 ? 1 : 0;
}

/** The scan gitScanCommand prints, as data: the GitHub Action (src/action) reports it its own way. */
export async function runGitScan(flags: GitScanFlags, io: IO): Promise<{ result: ScanResult; rules: Rule[]; mode: 'history' | 'staged' | 'range' }> {
  const started = performance.now();
  const which = mode(flags);
  const dir = resolve(io.cwd, flags.paths[0] ?? '.');
  if (!existsSync(dir)) throw new UserError(`${flags.paths[0]}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${flags.paths[0]}: not a directory (a git scan takes the repository's directory)`);
  // git log walks every commit before it prints the first (oldest-first order): started first,
  // that walk overlaps the repository check and the loading of rules and engine. --branch names
  // are checked against the repository first, so a wrong path still says "not a git repository".
  const logOptions = which === 'history' ? { branches: flags.branch, since: flags.since, until: flags.until, maxCommits: parseMaxCommits(flags.maxCommits) } : undefined;
  let log = logOptions && logOptions.branches.length === 0 ? startLog({ dir, ...logOptions }) : undefined;
  try {
    const repo = repoInfo(dir);
    log ??= logOptions ? startLog({ dir: repo.dir, ...logOptions }) : undefined;
    const { scanRepo } = await import('./git-scan-run.js');
    return { ...(await scanRepo(flags, io, { which, repo, log, started })), mode: which };
  } finally {
    log?.stop(); // a no-op once git exited; ends it when the scan failed before taking it
  }
}

/** What a blocked commit tells the committer: where, what, and the two ways out. */
function blockedHint(findings: Finding[]): string {
  const lines = findings.map((f) => `  ${f.path}:${f.line}  ${f.ruleId}  ${f.redacted}`);
  return [
    `leakfix: commit blocked: ${findings.length} secret(s) in the staged changes:`,
    ...lines,
    'Ways out:',
    '  - move the secret out of the code: leakfix fix --staged (stores it and rewrites the line to read it at run time)',
    '  - a false positive? add a `leakfix:allow` comment on that line, then stage and commit again',
    '',
  ].join('\n');
}
