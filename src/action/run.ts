// The GitHub Action, top to bottom: inputs and event → which commits → the same git/file scans
// the CLI runs → annotations, job summary, SARIF, outputs, PR comment → exit code. No `process`
// here: action/main.ts passes the environment in through IO.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fsutil.js';
import { dirname, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { readBaseline } from '../baseline.js';
import { severityAtLeast } from '../detect/engine.js';
import { firstLine, gitSync, repoInfo } from '../sources/git.js';
import { ruleInfoMap, type ReportContext } from '../report/context.js';
import { toGithub } from '../report/github.js';
import { toSarif } from '../report/sarif.js';
import { toSummary, type SummaryContext } from '../report/summary.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { planScan, type EventPayload, type ScanPlan } from './event.js';
import { prepareRange } from './fetch.js';
import { fitSarif } from './sarif.js';
import { upsertComment, type CommentResult } from './comment.js';
import { appendTo, command, outputLines } from './workflow.js';
import type { IO } from '../io.js';
import type { Finding, Rule } from '../types.js';
import type { ScanResult } from '../scan.js';
import type { GitScanFlags } from '../commands/git-scan.js';

interface Scanned {
  result: ScanResult;
  rules: Rule[];
  warnings: string[];
}

function readEvent(path: string | undefined): EventPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload;
  } catch (err) {
    throw new UserError(`GITHUB_EVENT_PATH ${path}: cannot read the event payload: ${(err as Error).message}`);
  }
}

function scanFlags(inputs: ActionInputs, dir: string, extra: Partial<GitScanFlags>): GitScanFlags {
  return {
    paths: ['.'],
    format: 'json',
    config: inputs.config ? resolve(dir, inputs.config) : undefined,
    showSecrets: false,
    noIgnore: false,
    include: [],
    exclude: [],
    quiet: false,
    history: false,
    staged: false,
    branch: [],
    allOccurrences: false,
    ...extra,
  };
}

async function runPlan(plan: ScanPlan, inputs: ActionInputs, dir: string, io: IO, log: (s: string) => void): Promise<Scanned> {
  const scanIO: IO = { ...io, cwd: dir };
  if (plan.kind === 'none') {
    return { result: { findings: [], notes: [plan.reason], stats: { files: 0, bytes: 0, binarySkipped: 0, durationMs: 0 } }, rules: [], warnings: [] };
  }
  if (plan.kind === 'files') {
    const { runScan } = await import('../commands/scan.js');
    // Scanned from the workspace, so paths (and annotations) read like svc/app.js, not app.js.
    const { result, rules } = await runScan(scanFlags(inputs, dir, { paths: [relative(io.cwd, dir) || '.'] }), io);
    return { result, rules, warnings: [] };
  }
  const { runGitScan } = await import('../commands/git-scan.js');
  if (plan.kind === 'range') {
    const prepared = prepareRange(repoInfo(dir).dir, plan, log);
    const { result, rules } = await runGitScan(scanFlags(inputs, dir, { range: prepared.range }), scanIO);
    result.notes.unshift(...prepared.notes);
    return { result, rules, warnings: prepared.warnings };
  }
  const warnings: string[] = [];
  const repo = repoInfo(dir);
  if (repo.shallow) {
    const origin = gitSync(repo.dir, ['remote', 'get-url', 'origin']).code === 0;
    log('leakfix: the clone is shallow: fetching the full history for the audit (git fetch --unshallow origin)');
    const r = origin ? gitSync(repo.dir, ['fetch', '--unshallow', '--no-tags', '--quiet', 'origin']) : undefined;
    if (!r || r.code !== 0) {
      warnings.push(`the clone is shallow and could not be deepened${r ? ` (${firstLine(r.stderr)})` : ''}: the audit misses older history; check out with actions/checkout and \`fetch-depth: 0\``);
    }
  }
  const { result, rules } = await runGitScan(scanFlags(inputs, dir, { history: true }), scanIO);
  return { result, rules, warnings };
}

function commentNote(result: CommentResult, fork: boolean): string | undefined {
  if (result.action === 'failed') {
    if (fork && (result.status === 403 || result.status === 404)) {
      return `cannot comment on a pull request from a fork: its token is read-only (${result.reason}); the annotations and the job summary still list every finding`;
    }
    return `could not post the pull request comment: ${result.reason} (does the job have \`permissions: pull-requests: write\`?)`;
  }
  return undefined;
}

export async function runAction(io: IO): Promise<number> {
  const env = io.env;
  const out = (s: string) => io.stdout(s);
  const log = (s: string) => io.stdout(`${s}\n`);
  const inputs = readInputs(env);
  const workspace = resolve(io.cwd, env.GITHUB_WORKSPACE || '.');
  const dir = resolve(workspace, inputs.path);
  if (!existsSync(dir)) throw new UserError(`input path ${inputs.path}: no such directory in ${workspace} (did actions/checkout run?)`);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readEvent(env.GITHUB_EVENT_PATH);
  const plan = planScan(eventName, payload, inputs.mode);
  log(`leakfix ${VERSION}: ${plan.scope}`);

  const { result, rules, warnings } = await runPlan(plan, inputs, dir, { ...io, cwd: workspace }, log);
  const baseline = inputs.baseline ? readBaseline(resolve(dir, inputs.baseline)) : undefined;
  const all = result.findings;
  const fresh = baseline ? all.filter((f) => !baseline.has(f.fingerprint)) : all;
  const ctx: ReportContext = { version: VERSION, showSecrets: false, color: false, rules: ruleInfoMap(rules), notes: result.notes, stats: result.stats };

  for (const n of result.notes) log(`leakfix: note: ${n}`);
  for (const w of warnings) out(command('warning', w));
  out(toGithub(fresh, ctx));

  let sarifFile = '';
  if (inputs.sarif) {
    sarifFile = resolve(workspace, inputs.sarif);
    const category = inputs.category ?? `leakfix/${plan.kind === 'history' ? 'history' : plan.kind === 'files' ? 'files' : 'range'}`;
    const fitted = fitSarif(toSarif(fresh, ctx), category);
    mkdirSync(dirname(sarifFile), { recursive: true });
    writeFileAtomic(sarifFile, fitted.text);
    if (fitted.kept < fitted.total) out(command('warning', `SARIF holds the ${fitted.kept} most severe of ${fitted.total} findings (GitHub's upload limits); the job summary and annotations list all`));
    log(`leakfix: SARIF (${fitted.kept} result(s), category ${category}) written to ${sarifFile}`);
  }

  const failing = inputs.failOn === 'none' ? [] : fresh.filter((f) => severityAtLeast(f.severity, inputs.failOn as Finding['severity']));
  const verdict = failing.length
    ? `❌ ${failing.length} new finding(s) at or above \`${inputs.failOn}\`: this check fails.`
    : fresh.length
      ? `⚠️ No new finding at or above \`${inputs.failOn}\`: this check passes.`
      : '';
  const summaryCtx: SummaryContext = {
    ...ctx,
    title: 'leakfix secret scan',
    scope: `Scanned ${plan.scope}.`,
    baselined: all.length - fresh.length,
    repoUrl: env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}` : undefined,
    ref: plan.kind === 'range' ? plan.head : env.GITHUB_SHA,
    footer: verdict ? [verdict] : [],
    notes: [...warnings, ...result.notes],
  };
  appendTo(env.GITHUB_STEP_SUMMARY, toSummary(fresh, { ...summaryCtx, maxRows: 500 }));
  appendTo(env.GITHUB_OUTPUT, outputLines({ findings: all.length, 'new-findings': fresh.length, 'sarif-file': sarifFile }));

  if (plan.kind === 'range' && plan.pr !== undefined && inputs.comment) {
    const fork = Boolean(payload.pull_request?.head?.repo?.full_name && payload.pull_request.head.repo.full_name !== payload.pull_request.base?.repo?.full_name);
    const repo = env.GITHUB_REPOSITORY || payload.repository?.full_name;
    if (!inputs.token || !repo) {
      log(`leakfix: no github-token${fork ? ' (a pull request from a fork)' : ''}: not commenting; the annotations and the job summary list every finding`);
    } else {
      const res = await upsertComment({ apiUrl: env.GITHUB_API_URL || 'https://api.github.com', token: inputs.token, repo, pr: plan.pr }, toSummary(fresh, { ...summaryCtx, maxRows: 50 }), fresh.length > 0);
      const note = commentNote(res, fork);
      if (note) out(command(fork ? 'notice' : 'warning', note));
      else log(`leakfix: pull request comment ${res.action === 'skipped' ? `not posted: ${res.reason}` : `${res.action}${'url' in res && res.url ? `: ${res.url}` : ''}`}`);
    }
  }

  log(`leakfix: ${all.length} finding(s), ${fresh.length} new${baseline ? ` (${all.length - fresh.length} in the baseline)` : ''}`);
  if (failing.length) {
    out(command('error', `${failing.length} new secret(s) at or above fail-on ${inputs.failOn}: rotate them and move them out of the code (see the job summary)`));
    return 1;
  }
  return 0;
}
