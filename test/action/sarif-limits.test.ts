// GitHub's SARIF upload limits: at most 25,000 results per run and 10 MB gzip-compressed. Over
// them, the most severe results are kept and the run says what was left out.
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { fitSarif, SARIF_LIMITS } from '../../src/action/sarif.js';
import { cleanup, makeRepo } from '../git/repo.js';
import { fakeGithubToken } from '../helpers/tokens.js';
import { pullRequestPayload, runStep, validateSarif } from './helpers.js';

afterAll(cleanup);

function log(levels: string[]): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'leakfix', rules: [] } }, results: levels.map((level, i) => ({ ruleId: `r${i}`, level, message: { text: `finding ${i} ${'x'.repeat(200)}` } })) }],
  });
}

describe('fitSarif', () => {
  it('adds the category and keeps everything within the limits', () => {
    const fitted = fitSarif(log(['error', 'note']), 'leakfix/range');
    const run = JSON.parse(fitted.text).runs[0];
    expect(run.automationDetails).toEqual({ id: 'leakfix/range/' });
    expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['r0', 'r1']);
    expect(run.invocations).toBeUndefined();
    expect([fitted.kept, fitted.total]).toEqual([2, 2]);
  });

  it('over the result limit: keeps the most severe, in their original order, and notes the cut', () => {
    const fitted = fitSarif(log(['note', 'error', 'warning', 'error', 'note']), 'custom/', { results: 3, gzipBytes: SARIF_LIMITS.gzipBytes });
    const run = JSON.parse(fitted.text).runs[0];
    expect(run.automationDetails).toEqual({ id: 'custom/' });
    expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['r1', 'r2', 'r3']);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toBe(
      "leakfix: 2 of 5 results left out to stay within GitHub's SARIF upload limits (3 results, 10485760 bytes gzip-compressed); the most severe are kept.",
    );
  });

  it('over the size limit: the largest number of results that fits', () => {
    const levels = Array.from({ length: 400 }, (_, i) => (i % 2 ? 'warning' : 'error'));
    const whole = gzipSync(fitSarif(log(levels), 'c').text).length;
    const limit = Math.floor(whole / 2);
    const fitted = fitSarif(log(levels), 'c', { results: 25_000, gzipBytes: limit });
    expect(gzipSync(fitted.text).length).toBeLessThanOrEqual(limit);
    expect(fitted.kept).toBeLessThan(400);
    expect(fitted.kept).toBeGreaterThan(100);
    // One more result would not fit.
    const oneMore = fitSarif(log(levels), 'c', { results: fitted.kept + 1, gzipBytes: Number.MAX_SAFE_INTEGER });
    expect(gzipSync(oneMore.text).length).toBeGreaterThan(limit);
    const kept = JSON.parse(fitted.text).runs[0].results as { level: string }[];
    expect(kept.filter((r) => r.level === 'error')).toHaveLength(Math.min(200, fitted.kept));
  });
});

describe('the action at 25,001 findings', () => {
  it('writes 25,000 results, says so, and the SARIF still validates', async () => {
    const repo = makeRepo('many');
    repo.write('a.txt', 'a\n');
    const base = repo.commit('a', { all: true });
    const n = SARIF_LIMITS.results + 1;
    const tokens = Array.from({ length: n }, (_, i) => fakeGithubToken(100_000 + i));
    repo.write('tokens.txt', tokens.map((t, i) => `t${i}=${t}\n`).join(''));
    const head = repo.commit('many', { all: true });
    const started = performance.now();
    const r = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 1, base, head, commits: 1 }), workspace: repo.dir, inputs: { comment: 'false' } });
    const ms = performance.now() - started;
    expect(r.code).toBe(1);
    expect(r.outputs.findings).toBe(String(n));
    expect(r.annotations.filter((a) => a.props.file)).toHaveLength(n);
    const results = r.sarif!.runs[0].results;
    expect(results).toHaveLength(SARIF_LIMITS.results);
    expect(results.at(-1)!.locations[0].physicalLocation.region).toMatchObject({ startLine: n - 1, startColumn: String(n - 2).length + 3 });
    expect(r.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      `SARIF holds the 25000 most severe of ${n} findings (GitHub's upload limits); the job summary and annotations list all`,
    ]);
    expect(gzipSync(r.sarifText!).length).toBeLessThan(SARIF_LIMITS.gzipBytes);
    expect(validateSarif(r.sarif)).toBe(true);
    // The summary stays far below the 1 MiB step summary limit.
    expect(r.summary.length).toBeLessThan(1024 * 1024);
    expect(r.summary).toContain(`…and ${n - 500} more: see the annotations or the SARIF report.`);
    console.log(`25,001 findings: action ${Math.round(ms)} ms, SARIF ${r.sarifText!.length} bytes (${gzipSync(r.sarifText!).length} gzip), summary ${r.summary.length} chars`);
  }, 180_000);
});
