// Runs the bundled action the way a GitHub runner does: dist/action.js from a checkout of the
// action repository (dist/action.js, rules/, package.json, no node_modules), with the
// environment the runner provides (GITHUB_*, INPUT_* with action.yml's defaults) and files for
// the step summary and outputs. Returns everything the step produced, parsed.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../helpers/cli.js';
import { ENV, SCRATCH } from '../git/repo.js';

const require = createRequire(import.meta.url);
const Ajv04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const ajv = new Ajv04({ allErrors: true, strict: false });
addFormats(ajv);
export const validateSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/schemas/sarif-schema-2.1.0.json'), 'utf8')));

/** The action repository as the runner downloads it: no node_modules, no tsc output. */
export const ACTION_DIR = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'leakfix-action-repo-'));
  mkdirSync(join(dir, 'dist'));
  cpSync(join(ROOT, 'dist/action.js'), join(dir, 'dist/action.js'));
  cpSync(join(ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
  return dir;
})();
afterAll(() => rmSync(ACTION_DIR, { recursive: true, force: true }));

const ACTION_YML = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };

/** INPUT_* as the runner sets them: every declared input, default unless given. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(ACTION_YML.inputs)) {
    const value = inputs[name] ?? (String(spec.default ?? '').includes('${{') ? '' : String(spec.default ?? ''));
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(inputs)) if (!(name in ACTION_YML.inputs)) throw new Error(`action.yml declares no input ${name}`);
  return env;
}

export interface Annotation {
  level: string;
  props: Record<string, string>;
  message: string;
}

export interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  summary: string;
  outputs: Record<string, string>;
  sarif?: { runs: { results: SarifResult[]; automationDetails?: { id: string }; invocations?: unknown[]; tool: { driver: { rules: { id: string }[] } } }[] };
  sarifText?: string;
}

export interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[];
  partialFingerprints: Record<string, string>;
}

function unescape(s: string): string {
  return s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const i = kv.indexOf('=');
      props[kv.slice(0, i)] = unescape(kv.slice(i + 1));
    }
    out.push({ level: m[1], props, message: unescape(m[3]) });
  }
  return out;
}

/** Parses $GITHUB_OUTPUT in both the name=value and the heredoc forms. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      for (i++; lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

let runs = 0;

export interface StepOptions {
  event: string;
  payload: unknown;
  workspace: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
}

/** One step: `node dist/action.js` with the runner's environment, async (a test HTTP server may answer it). */
export async function runStep(o: StepOptions): Promise<StepResult> {
  const dir = join(SCRATCH, `step-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(o.payload, null, 2));
  const summaryPath = join(dir, 'step_summary.md');
  const outputPath = join(dir, 'output.txt');
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  // The test process may itself run inside GitHub Actions: none of its GITHUB_*/INPUT_* leak in.
  const base = Object.fromEntries(Object.entries(ENV).filter(([k]) => !k.startsWith('GITHUB_') && !k.startsWith('INPUT_') && k !== 'RUNNER_TEMP'));
  const env: NodeJS.ProcessEnv = {
    ...base,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9/unused',
    GITHUB_SHA: '',
    RUNNER_TEMP: dir,
    ...inputEnv(o.inputs ?? {}),
    ...o.env,
  };
  const child = spawn(process.execPath, [join(ACTION_DIR, 'dist/action.js')], { cwd: o.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const outputs = parseOutputs(readFileSync(outputPath, 'utf8'));
  const sarifFile = outputs['sarif-file'];
  const sarifText = sarifFile && existsSync(sarifFile) ? readFileSync(sarifFile, 'utf8') : undefined;
  return { code, stdout, stderr, annotations: parseAnnotations(stdout), summary: readFileSync(summaryPath, 'utf8'), outputs, sarifText, sarif: sarifText ? JSON.parse(sarifText) : undefined };
}

/** Real-shaped GitHub webhook payloads (trimmed to the fields a reader would check). */
export function pullRequestPayload(o: { number: number; base: string; head: string; commits: number; fork?: boolean; repo?: string }) {
  const repo = o.repo ?? 'octo-org/octo-repo';
  const headRepo = o.fork ? 'outside-dev/octo-repo' : repo;
  const repository = { id: 1296269, name: repo.split('/')[1], full_name: repo, private: false, html_url: `https://github.com/${repo}`, default_branch: 'main', fork: false };
  return {
    action: 'synchronize',
    number: o.number,
    before: o.base,
    after: o.head,
    pull_request: {
      url: `https://api.github.com/repos/${repo}/pulls/${o.number}`,
      id: 1,
      number: o.number,
      state: 'open',
      title: 'Add the billing client',
      user: { login: o.fork ? 'outside-dev' : 'octocat', type: 'User' },
      draft: false,
      commits: o.commits,
      additions: 10,
      deletions: 0,
      changed_files: 2,
      head: { label: `${headRepo.split('/')[0]}:feature`, ref: 'feature', sha: o.head, repo: { ...repository, full_name: headRepo, fork: Boolean(o.fork) } },
      base: { label: `${repo.split('/')[0]}:main`, ref: 'main', sha: o.base, repo: repository },
    },
    repository,
    sender: { login: o.fork ? 'outside-dev' : 'octocat', type: 'User' },
  };
}

export function pushPayload(o: { before: string; after: string; ref?: string; forced?: boolean; created?: boolean; commits?: string[] }) {
  const repository = { id: 1296269, name: 'octo-repo', full_name: 'octo-org/octo-repo', html_url: 'https://github.com/octo-org/octo-repo', default_branch: 'main', master_branch: 'main' };
  return {
    ref: o.ref ?? 'refs/heads/main',
    before: o.before,
    after: o.after,
    created: o.created ?? false,
    deleted: false,
    forced: o.forced ?? false,
    base_ref: null,
    compare: `https://github.com/octo-org/octo-repo/compare/${o.before.slice(0, 12)}...${o.after.slice(0, 12)}`,
    commits: (o.commits ?? [o.after]).map((id) => ({ id, tree_id: id, distinct: true, message: 'change', author: { name: 'Dev One', email: 'dev1@example.com' } })),
    head_commit: { id: o.after, message: 'change' },
    repository,
    pusher: { name: 'octocat', email: 'octocat@example.com' },
    sender: { login: 'octocat', type: 'User' },
  };
}
