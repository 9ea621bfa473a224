// The bundled action (dist/action.js, run from a copy of the action repository without
// node_modules) on real repositories, with real-shaped pull_request, push and schedule payloads.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, makeRepo, type Repo } from '../git/repo.js';
import { fakeAwsKeyId, fakeGithubToken } from '../helpers/tokens.js';
import { redact } from '../../src/detect/redact.js';
import { pullRequestPayload, pushPayload, runStep, validateSarif, type StepResult } from './helpers.js';

afterAll(cleanup);

const T = (n: number) => fakeGithubToken(700 + n);
const AWS = fakeAwsKeyId(701);
const GH_TITLE = 'GitHub personal access token (classic) (github.pat-classic)';
const AWS_TITLE = 'AWS access key ID (aws.access-key-id)';

/** main: a README and an old secret; feature: two commits, each adding one secret. */
function prRepo(): { repo: Repo; base: string; head: string } {
  const repo = makeRepo('pr');
  repo.write('README.md', '# octo\n');
  repo.write('old.env', `OLD_TOKEN=${T(1)}\n`);
  repo.write('app.js', 'const a = 1;\n');
  const base = repo.commit('base', { all: true });
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write('app.js', `const a = 1;\nconst token = "${T(2)}";\n`);
  repo.commit('add client', { all: true });
  repo.write('config.env', `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${AWS}\n`);
  const head = repo.commit('add config', { all: true });
  return { repo, base, head };
}

function fileAnnotations(r: StepResult) {
  return r.annotations.filter((a) => a.props.file).map((a) => ({ level: a.level, ...a.props }));
}

function allText(r: StepResult): string {
  return r.stdout + r.stderr + r.summary + (r.sarifText ?? '');
}

describe('pull_request', () => {
  it('annotates each new secret of the PR commits, writes summary, outputs and valid SARIF, and fails', async () => {
    const { repo, base, head } = prRepo();
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(fileAnnotations(r)).toEqual([
      { level: 'error', file: 'app.js', line: '2', col: '16', endLine: '2', endColumn: '56', title: GH_TITLE },
      { level: 'error', file: 'config.env', line: '2', col: '19', endLine: '2', endColumn: '39', title: AWS_TITLE },
    ]);
    const messages = r.annotations.filter((a) => a.props.file).map((a) => a.message);
    expect(messages[0]).toMatch(new RegExp(`^GitHub personal access token \\(classic\\): ${redact(T(2)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. `));
    expect(messages[1]).toContain(`AWS access key ID: ${redact(AWS)}.`);
    expect(r.annotations.at(-1)).toEqual({ level: 'error', props: { title: 'leakfix' }, message: '2 new secret(s) at or above fail-on low: rotate them and move them out of the code (see the job summary)' });

    expect(r.outputs).toEqual({ findings: '2', 'new-findings': '2', 'sarif-file': join(repo.dir, 'leakfix.sarif') });
    expect(validateSarif(r.sarif)).toBe(true);
    const run = r.sarif!.runs[0];
    expect(run.automationDetails).toEqual({ id: 'leakfix/range/' });
    expect(run.results.map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region])).toEqual([
      ['github.pat-classic', 'error', 'app.js', { startLine: 2, startColumn: 16, endLine: 2, endColumn: 56, snippet: { text: `const token = "${redact(T(2))}";` } }],
      ['aws.access-key-id', 'error', 'config.env', { startLine: 2, startColumn: 19, endLine: 2, endColumn: 39, snippet: { text: `AWS_ACCESS_KEY_ID=${redact(AWS)}` } }],
    ]);

    expect(r.summary).toContain('## leakfix secret scan');
    expect(r.summary).toContain(`Scanned pull request #7: 2 commit(s), ${base.slice(0, 12)}..${head.slice(0, 12)}.`);
    expect(r.summary).toContain('**2 secrets found**: 🔴 1 critical, 🟠 1 high');
    expect(r.summary).toContain(`| 🔴 critical | <code>${redact(T(2))}</code> | <a href="https://github.com/octo-org/octo-repo/blob/`);
    expect(r.summary).toContain('/app.js#L2"><code>app.js:2:16</code></a> | GitHub personal access token (classic)<br><code>github.pat-classic</code> |');
    expect(r.summary).toContain('<code>config.env:2:19</code>');
    expect(r.summary).toContain('### How to fix');
    expect(r.summary).toContain('`leakfix:allow`');
    expect(r.summary).toContain('❌ 2 new finding(s) at or above `low`: this check fails.');
    // The secret already on main is not the PR's doing; no raw secret is printed anywhere.
    expect(allText(r)).not.toContain('old.env');
    for (const s of [T(1), T(2), AWS]) expect(allText(r)).not.toContain(s);
  });

  it('fail-on sets the threshold; a baseline turns known findings into accepted ones', async () => {
    const { repo, base, head } = prRepo();
    const payload = pullRequestPayload({ number: 7, base, head, commits: 2 });
    // From the second commit on, the PR adds only the AWS key id (high): fail-on critical passes.
    const mid = repo.git('rev-parse', 'HEAD~1').trim();
    const p2 = pullRequestPayload({ number: 7, base: mid, head, commits: 1 });
    const critical = await runStep({ event: 'pull_request', payload: p2, workspace: repo.dir, inputs: { 'fail-on': 'critical', sarif: '' } });
    expect(critical.code).toBe(0);
    expect(fileAnnotations(critical).map((a) => [a.level, a.file, a.line, a.col])).toEqual([['error', 'config.env', '2', '19']]);
    expect(critical.outputs).toEqual({ findings: '1', 'new-findings': '1', 'sarif-file': '' });
    expect(critical.summary).toContain('⚠️ No new finding at or above `critical`: this check passes.');
    const high = await runStep({ event: 'pull_request', payload: p2, workspace: repo.dir, inputs: { 'fail-on': 'HIGH' } });
    expect(high.code).toBe(1);
    const none = await runStep({ event: 'pull_request', payload: p2, workspace: repo.dir, inputs: { 'fail-on': 'none' } });
    expect(none.code).toBe(0);

    const all = JSON.parse(repo.scan('--range', `${base}..${head}`, '-f', 'json').stdout) as { findings: { fingerprint: string; ruleId: string; path: string; line: number }[] };
    const aws = all.findings.find((f) => f.ruleId === 'aws.access-key-id')!;
    writeFileSync(join(repo.dir, '.leakfix-baseline.json'), JSON.stringify({ version: 1, tool: 'leakfix', findings: [aws] }));
    const r = await runStep({ event: 'pull_request', payload, workspace: repo.dir, inputs: { baseline: '.leakfix-baseline.json' } });
    expect(r.code).toBe(1);
    expect(r.outputs.findings).toBe('2');
    expect(r.outputs['new-findings']).toBe('1');
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn])).toEqual([['app.js', '2', '16', '56']]);
    expect(r.sarif!.runs[0].results.map((x) => x.ruleId)).toEqual(['github.pat-classic']);
    expect(r.summary).toContain('**1 secret found** (1 more accepted by the baseline): 🔴 1 critical');
  });

  it('no findings: passes, no annotations, an empty valid SARIF and a clean summary', async () => {
    const repo = makeRepo('clean');
    repo.write('a.txt', 'hello\n');
    const base = repo.commit('a', { all: true });
    repo.write('a.txt', 'hello\nworld\n');
    const head = repo.commit('b', { all: true });
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 3, base, head, commits: 1 }), workspace: repo.dir });
    expect(r.code).toBe(0);
    expect(r.annotations).toEqual([]);
    expect(r.outputs).toEqual({ findings: '0', 'new-findings': '0', 'sarif-file': join(repo.dir, 'leakfix.sarif') });
    expect(validateSarif(r.sarif)).toBe(true);
    expect(r.sarif!.runs[0].results).toEqual([]);
    expect(r.sarif!.runs[0].automationDetails).toEqual({ id: 'leakfix/range/' });
    expect(r.summary).toContain('✅ No secrets found.');
    expect(r.summary).not.toContain('| Severity |');
  });

  it('a bad input is a clear error, exit 2', async () => {
    const { repo, base, head } = prRepo();
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: repo.dir, inputs: { 'fail-on': 'severe' } });
    expect(r.code).toBe(2);
    expect(r.annotations).toEqual([{ level: 'error', props: { title: 'leakfix' }, message: 'input fail-on: expected one of critical, high, medium, low, none, got "severe"' }]);
  });
});

describe('push', () => {
  it('scans before..after', async () => {
    const { repo, base, head } = prRepo();
    const mid = repo.git('rev-parse', 'HEAD~1').trim();
    const r = await runStep({ event: 'push', payload: pushPayload({ before: mid, after: head, ref: 'refs/heads/feature' }), workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn, a.title])).toEqual([['config.env', '2', '19', '39', AWS_TITLE]]);
    expect(r.summary).toContain(`Scanned push to feature: ${mid.slice(0, 12)}..${head.slice(0, 12)}.`);
    expect(base).not.toBe(mid);
  });

  it('before equal to after: nothing to scan, says so, passes', async () => {
    const { repo, head } = prRepo();
    const r = await runStep({ event: 'push', payload: pushPayload({ before: head, after: head }), workspace: repo.dir });
    expect(r.code).toBe(0);
    expect(r.annotations).toEqual([]);
    expect(r.stdout).toContain(`leakfix: note: before equals after (${head.slice(0, 12)}): the push added no commits, nothing to scan`);
    expect(r.outputs.findings).toBe('0');
    expect(validateSarif(r.sarif)).toBe(true);
    expect(r.summary).toContain('✅ No secrets found.');
  });

  it('a new branch (before all zeros) scans only the commits the default branch does not have', async () => {
    const { origin, work } = cloned();
    const head = work.git('rev-parse', 'HEAD').trim();
    const r = await runStep({ event: 'push', payload: pushPayload({ before: '0'.repeat(40), after: head, ref: 'refs/heads/feature', created: true }), workspace: work.dir });
    expect(r.code).toBe(1);
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn])).toEqual([
      ['app.js', '2', '16', '56'],
      ['config.env', '2', '19', '39'],
    ]);
    expect(r.stdout).toContain('leakfix: note: scanning the commits of ' + head.slice(0, 12) + ' that are not on the default branch main');
    expect(allText(r)).not.toContain('old.env');
    expect(origin.dir).not.toBe(work.dir);
  });

  it('a force-push whose before is gone: warns and scans what the default branch does not have', async () => {
    const { work } = cloned();
    const head = work.git('rev-parse', 'HEAD').trim();
    const gone = 'deadbeef'.repeat(5);
    const r = await runStep({ event: 'push', payload: pushPayload({ before: gone, after: head, ref: 'refs/heads/feature', forced: true }), workspace: work.dir });
    expect(r.code).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([
      { level: 'warning', props: { title: 'leakfix' }, message: `the push's before commit deadbeefdead no longer exists (a force-push rewrote it): scanning the commits of ${head.slice(0, 12)} that main does not have instead` },
    ]);
    expect(fileAnnotations(r).map((a) => [a.file, a.line])).toEqual([
      ['app.js', '2'],
      ['config.env', '2'],
    ]);
  });
});

/** origin: the PR repository; work: a clone of its feature branch, as actions/checkout makes. */
function cloned(depth?: number): { origin: Repo; work: Repo } {
  const { repo: origin } = prRepo();
  origin.git('checkout', '-q', 'main');
  const work = makeRepo('work', { init: false });
  origin.git('clone', '-q', ...(depth ? [`--depth=${depth}`] : []), '--branch', 'feature', `file://${origin.dir}`, work.dir);
  return { origin, work };
}

describe('shallow checkouts', () => {
  it('fetches the missing base of a pull request from origin (fetch-depth: 1) and reports exactly the PR', async () => {
    const { origin, work } = cloned(1);
    const base = origin.git('rev-parse', 'main').trim();
    const head = origin.git('rev-parse', 'feature').trim();
    expect(work.git('rev-parse', '--is-shallow-repository').trim()).toBe('true');
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: work.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`leakfix: git fetch --no-tags --no-recurse-submodules --quiet --depth=3 origin ${base}`);
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn])).toEqual([
      ['app.js', '2', '16', '56'],
      ['config.env', '2', '19', '39'],
    ]);
    expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    expect(allText(r)).not.toContain('old.env');
  });

  it('deepens when the range crosses the shallow boundary', async () => {
    const { origin, work } = cloned(1);
    const base = origin.git('rev-parse', 'main').trim();
    const head = origin.git('rev-parse', 'feature').trim();
    // The event undercounts the commits: the first fetch stops short of the base.
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 0 }), workspace: work.dir });
    expect(r.code).toBe(1);
    expect(fileAnnotations(r).map((a) => [a.file, a.line])).toEqual([
      ['app.js', '2'],
      ['config.env', '2'],
    ]);
    expect(r.stdout).toContain(`leakfix: git fetch --no-tags --no-recurse-submodules --quiet --deepen=50 origin ${head} ${base}`);
    expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([]);
  });

  it('without a way to fetch, the error names fetch-depth: 0', async () => {
    const { origin, work } = cloned(1);
    work.git('remote', 'remove', 'origin');
    const base = origin.git('rev-parse', 'main').trim();
    const head = origin.git('rev-parse', 'feature').trim();
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: work.dir });
    expect(r.code).toBe(2);
    expect(r.annotations).toEqual([{ level: 'error', props: { title: 'leakfix' }, message: `base commit ${base} is not in this clone: check out with actions/checkout and \`fetch-depth: 0\` (or fetch it: git fetch origin ${base})` }]);
  });
});

describe('schedule and workflow_dispatch', () => {
  it('audits the full history, including secrets removed since, under the history category', async () => {
    const { repo } = prRepo();
    repo.git('checkout', '-q', 'main');
    repo.write('old.env', 'OLD_TOKEN=\n');
    repo.commit('remove the old token', { all: true });
    for (const event of ['schedule', 'workflow_dispatch']) {
      const r = await runStep({ event, payload: event === 'schedule' ? { schedule: '17 3 * * *' } : { inputs: {}, ref: 'refs/heads/main' }, workspace: repo.dir });
      expect(r.code).toBe(1);
      expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn, a.title])).toEqual([
        ['app.js', '2', '16', '56', GH_TITLE],
        ['config.env', '2', '19', '39', AWS_TITLE],
        ['old.env', '1', '11', '51', GH_TITLE],
      ]);
      expect(r.summary).toContain(`Scanned full history (${event} event).`);
      expect(r.summary).toContain('| Introduced in |');
      expect(r.sarif!.runs[0].automationDetails).toEqual({ id: 'leakfix/history/' });
      expect(validateSarif(r.sarif)).toBe(true);
    }
  });
});

describe('other modes', () => {
  it('a shallow clone is unshallowed for the history audit, so old secrets are found', async () => {
    const { work } = cloned(1);
    const r = await runStep({ event: 'schedule', payload: { schedule: '17 3 * * *' }, workspace: work.dir, inputs: { 'fail-on': 'none' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('leakfix: the clone is shallow: fetching the full history for the audit (git fetch --unshallow origin)');
    expect(work.git('rev-parse', '--is-shallow-repository').trim()).toBe('false');
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col])).toEqual([
      ['app.js', '2', '16'],
      ['config.env', '2', '19'],
      ['old.env', '1', '11'],
    ]);
    expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([]);
  });

  it('config names a .leakfix.yaml relative to path', async () => {
    const { repo, base, head } = prRepo();
    repo.write('ci/leakfix.yaml', 'allow:\n  paths: [config.env]\n');
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: repo.dir, inputs: { config: 'ci/leakfix.yaml' } });
    expect(r.code).toBe(1);
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col])).toEqual([['app.js', '2', '16']]);
  });

  it('the bundle runs the AST stage (TypeScript is in it): a password passed through a helper into new Pool', async () => {
    const { repo, base, head } = prRepo();
    const code = "import { Pool } from 'pg';\nfunction open(pw) {\n  return new Pool({ host: 'db', password: pw });\n}\nexport const pool = open('Winter2023?');\n";
    repo.write('svc/db.js', code);
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: repo.dir, inputs: { mode: 'files', path: 'svc' } });
    expect(r.code, r.stdout).toBe(1);
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn])).toEqual([['svc/db.js', '5', '27', '38']]);
    expect(r.sarif!.runs[0].results[0].ruleId).toBe('ast.db-password');
  });

  it('mode files scans the working tree under path; annotation paths stay relative to the workspace', async () => {
    const { repo, base, head } = prRepo();
    repo.write('svc/local.env', `GH=${T(9)}\n`);
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head, commits: 2 }), workspace: repo.dir, inputs: { mode: 'files', path: 'svc' } });
    expect(r.code, r.stdout).toBe(1);
    expect(fileAnnotations(r).map((a) => [a.file, a.line, a.col, a.endColumn])).toEqual([['svc/local.env', '1', '4', '44']]);
    expect(r.sarif!.runs[0].automationDetails).toEqual({ id: 'leakfix/files/' });
    expect(r.sarif!.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('svc/local.env');
  });
});
