// The PR comment against a local node:http server standing in for the GitHub REST API
// (GITHUB_API_URL): list (paged), create once, update after, never a second comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cleanup, makeRepo } from '../git/repo.js';
import { fakeGithubToken } from '../helpers/tokens.js';
import { redact } from '../../src/detect/redact.js';
import { pullRequestPayload, runStep } from './helpers.js';

interface Call {
  method: string;
  path: string;
  auth?: string;
  accept?: string;
  apiVersion?: string;
  body?: { body: string };
}

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

const MARKER = '<!-- leakfix:pull-request-comment -->';
let server: Server;
let api = '';
let calls: Call[] = [];
let comments: Comment[] = [];
let deny: number | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const call: Call = { method: req.method!, path: req.url!, auth: req.headers.authorization, accept: req.headers.accept, apiVersion: req.headers['x-github-api-version'] as string, body: raw ? JSON.parse(raw) : undefined };
      calls.push(call);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== 'Bearer test-token') return send(401, { message: 'Bad credentials' });
      const url = new URL(req.url!, 'http://x');
      const list = /^\/repos\/octo-org\/octo-repo\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const one = /^\/repos\/octo-org\/octo-repo\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && req.method === 'GET') {
        const per = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        return send(200, comments.slice((page - 1) * per, page * per));
      }
      if (deny) return send(deny, { message: 'Resource not accessible by integration' });
      if (list && req.method === 'POST') {
        const c = { id: 9000 + comments.length, body: call.body!.body, user: { login: 'github-actions[bot]', type: 'Bot' } };
        comments.push(c);
        return send(201, { ...c, html_url: `https://github.com/octo-org/octo-repo/pull/${list[1]}#issuecomment-${c.id}` });
      }
      if (one && req.method === 'PATCH') {
        const c = comments.find((x) => x.id === Number(one[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = call.body!.body;
        return send(200, c);
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  cleanup();
});

const T = (n: number) => fakeGithubToken(800 + n);

function pr() {
  const repo = makeRepo('comment');
  repo.write('app.js', 'const a = 1;\n');
  const base = repo.commit('base', { all: true });
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write('app.js', `const a = 1;\nconst token = "${T(1)}";\n`);
  const head = repo.commit('token', { all: true });
  return { repo, base, head };
}

describe('pull request comment', () => {
  it('creates one comment, updates it on later runs (found by its marker past the first page), and never duplicates it', async () => {
    calls = [];
    deny = undefined;
    // 100 earlier comments by people: the marker must be found on page 2 later.
    comments = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: `looks good ${i}`, user: { login: 'octocat', type: 'User' } }));
    const { repo, base, head } = pr();
    const step = (h: string) => runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base, head: h, commits: 1 }), workspace: repo.dir, inputs: { 'github-token': 'test-token' }, env: { GITHUB_API_URL: api } });

    const first = await step(head);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('leakfix: pull request comment created: https://github.com/octo-org/octo-repo/pull/7#issuecomment-9100');
    expect(calls.map((c) => [c.method, c.path])).toEqual([
      ['GET', '/repos/octo-org/octo-repo/issues/7/comments?per_page=100&page=1'],
      ['GET', '/repos/octo-org/octo-repo/issues/7/comments?per_page=100&page=2'],
      ['POST', '/repos/octo-org/octo-repo/issues/7/comments'],
    ]);
    expect(calls.every((c) => c.auth === 'Bearer test-token' && c.accept === 'application/vnd.github+json' && c.apiVersion === '2022-11-28')).toBe(true);
    const created = comments.at(-1)!;
    expect(created.body.startsWith(`${MARKER}\n## leakfix secret scan\n`)).toBe(true);
    expect(created.body).toContain(`| 🔴 critical | <code>${redact(T(1))}</code> |`);
    expect(created.body).toContain('<code>app.js:2:16</code>');
    expect(created.body).not.toContain(T(1));

    calls = [];
    const second = await step(head);
    expect(second.code).toBe(1);
    expect(calls.map((c) => [c.method, c.path])).toEqual([
      ['GET', '/repos/octo-org/octo-repo/issues/7/comments?per_page=100&page=1'],
      ['GET', '/repos/octo-org/octo-repo/issues/7/comments?per_page=100&page=2'],
      ['PATCH', '/repos/octo-org/octo-repo/issues/comments/9100'],
    ]);

    // The author removes the token in a new commit: the same comment now says what is left.
    repo.write('app.js', 'const a = 1;\nconst token = process.env.TOKEN;\n');
    const fixed = repo.commit('read the token from the environment', { all: true });
    calls = [];
    const third = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 7, base: head, head: fixed, commits: 1 }), workspace: repo.dir, inputs: { 'github-token': 'test-token' }, env: { GITHUB_API_URL: api } });
    expect(third.code).toBe(0);
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET', 'PATCH']);
    expect(comments.filter((c) => c.body.includes(MARKER))).toHaveLength(1);
    expect(comments.at(-1)!.body).toContain('✅ No secrets found.');
    expect(comments).toHaveLength(101);
  });

  it('a clean PR without an earlier comment stays silent; comment: false never calls the API', async () => {
    calls = [];
    deny = undefined;
    comments = [];
    const repo = makeRepo('quiet');
    repo.write('a.txt', 'a\n');
    const base = repo.commit('a', { all: true });
    repo.write('a.txt', 'a\nb\n');
    const head = repo.commit('b', { all: true });
    const payload = pullRequestPayload({ number: 8, base, head, commits: 1 });
    const clean = await runStep({ event: 'pull_request', payload, workspace: repo.dir, inputs: { 'github-token': 'test-token' }, env: { GITHUB_API_URL: api } });
    expect(clean.code).toBe(0);
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect(comments).toEqual([]);
    calls = [];
    const { repo: r2, base: b2, head: h2 } = pr();
    const off = await runStep({ event: 'pull_request', payload: pullRequestPayload({ number: 9, base: b2, head: h2, commits: 1 }), workspace: r2.dir, inputs: { 'github-token': 'test-token', comment: 'false' }, env: { GITHUB_API_URL: api } });
    expect(off.code).toBe(1);
    expect(calls).toEqual([]);
  });

  it('forks: without a token, or with a read-only one, annotations still work and the step fails only for the findings', async () => {
    calls = [];
    comments = [];
    const { repo, base, head } = pr();
    const payload = pullRequestPayload({ number: 7, base, head, commits: 1, fork: true });
    const noToken = await runStep({ event: 'pull_request', payload, workspace: repo.dir, inputs: { 'github-token': '' }, env: { GITHUB_API_URL: api } });
    expect(noToken.code).toBe(1);
    expect(calls).toEqual([]);
    expect(noToken.stdout).toContain('leakfix: no github-token (a pull request from a fork): not commenting; the annotations and the job summary list every finding');
    expect(noToken.annotations.filter((a) => a.props.file).map((a) => [a.props.file, a.props.line, a.props.col])).toEqual([['app.js', '2', '16']]);

    deny = 403;
    const readOnly = await runStep({ event: 'pull_request', payload, workspace: repo.dir, inputs: { 'github-token': 'test-token' }, env: { GITHUB_API_URL: api } });
    deny = undefined;
    expect(readOnly.code).toBe(1);
    expect(readOnly.annotations.filter((a) => a.level === 'notice')).toEqual([
      {
        level: 'notice',
        props: { title: 'leakfix' },
        message: 'cannot comment on a pull request from a fork: its token is read-only (creating the pull request comment: HTTP 403 Resource not accessible by integration); the annotations and the job summary still list every finding',
      },
    ]);
    expect(readOnly.annotations.filter((a) => a.props.file)).toHaveLength(1);
    expect(readOnly.summary).toContain('<code>app.js:2:16</code>');
  });
});
