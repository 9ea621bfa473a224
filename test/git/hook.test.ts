// `leakfix hook install|uninstall` with real commits: a secret is refused and nothing changes,
// an existing hook is chained and restored, core.hooksPath and husky layouts are respected.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cleanup, ENV, gitRun, makeRepo, type Repo } from './repo.js';
import { leakfix, ROOT } from '../helpers/cli.js';
import { fakeGithubToken } from '../helpers/tokens.js';

afterAll(cleanup);

const TOKEN = fakeGithubToken(301);
const hook = (r: Repo, ...args: string[]) => leakfix(['hook', ...args], { cwd: r.dir, env: ENV });

/** Everything a refused commit must leave alone: refs, index, work tree, status. */
function snapshot(r: Repo) {
  return {
    head: r.git('rev-parse', 'HEAD'),
    log: r.git('log', '--all', '--format=%H'),
    index: r.git('ls-files', '--stage'),
    staged: r.git('diff', '--cached'),
    status: r.git('status', '--porcelain=v1', '--untracked-files=all'),
    files: r.git('ls-files', '-o', '-c').split('\n').filter(Boolean).map((p) => [p, readFileSync(join(r.dir, p), 'utf8')]),
  };
}

describe('leakfix hook', () => {
  it('installs a pre-commit hook that refuses a commit adding a secret and changes nothing else', () => {
    const r = makeRepo('hook');
    r.write('app.py', 'x = 1\n');
    r.commit('initial', { all: true });
    const installed = hook(r, 'install');
    expect(installed.code).toBe(0);
    const file = join(r.dir, '.git', 'hooks', 'pre-commit');
    expect(installed.stdout).toBe(`leakfix: installed ${file}\n`);
    expect(statSync(file).mode & 0o111).not.toBe(0);
    expect(hook(r, 'install').stdout).toBe(`leakfix: already installed in ${file}\n`);

    r.write('app.py', `x = 1\ntoken = "${TOKEN}"\n`);
    r.write('notes.txt', 'unstaged, untracked\n');
    r.git('add', 'app.py');
    const before = snapshot(r);
    // A CA bundle Node cannot read would make it warn at start: the hook runs the scan without it.
    const refused = gitRun(r.dir, ['commit', '-m', 'add token'], { ...ENV, NODE_EXTRA_CA_CERTS: join(r.dir, 'no-such-bundle.pem') });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).not.toMatch(/extra certs/i);
    expect(refused.stderr).toContain('app.py\n  2:10 '); // git sends a hook's stdout to stderr
    expect(refused.stderr).toContain('leakfix: commit blocked: 1 secret(s) in the staged changes:');
    expect(refused.stderr).toContain('app.py:2  github.pat-classic');
    expect(refused.stdout + refused.stderr).not.toContain(TOKEN);
    expect(snapshot(r)).toEqual(before);

    // A clean change goes through.
    r.write('app.py', 'x = 2\n');
    r.git('add', 'app.py');
    expect(gitRun(r.dir, ['commit', '-q', '-m', 'clean']).code).toBe(0);
    expect(r.git('log', '-1', '--format=%s').trim()).toBe('clean');

    expect(hook(r, 'uninstall').stdout).toBe(`leakfix: removed from ${file}\n`);
    expect(existsSync(file)).toBe(false);
  });

  it('chains an existing hook and restores it byte for byte on uninstall', () => {
    const r = makeRepo('chain');
    r.write('a.txt', 'a\n');
    r.commit('initial', { all: true });
    const file = join(r.dir, '.git', 'hooks', 'pre-commit');
    const original = '#!/bin/sh\necho "theirs ran" >> "$(git rev-parse --git-dir)/theirs.log"\nexit 0\n';
    writeFileSync(file, original);
    chmodSync(file, 0o755);
    expect(hook(r, 'install').stdout).toContain('your previous hook now runs after it from pre-commit.pre-leakfix');

    r.write('a.txt', 'b\n');
    r.git('add', 'a.txt');
    expect(gitRun(r.dir, ['commit', '-q', '-m', 'ok']).code).toBe(0);
    expect(readFileSync(join(r.dir, '.git', 'theirs.log'), 'utf8')).toBe('theirs ran\n');

    // Blocked by leakfix: their hook does not run (leakfix runs first and stops the commit).
    r.write('a.txt', `TOKEN=${TOKEN}\n`);
    r.git('add', 'a.txt');
    expect(gitRun(r.dir, ['commit', '-q', '-m', 'bad']).code).not.toBe(0);
    expect(readFileSync(join(r.dir, '.git', 'theirs.log'), 'utf8')).toBe('theirs ran\n');

    // A failing chained hook still fails the commit.
    writeFileSync(join(r.dir, '.git', 'hooks', 'pre-commit.pre-leakfix'), '#!/bin/sh\nexit 3\n');
    r.write('a.txt', 'c\n');
    r.git('add', 'a.txt');
    expect(gitRun(r.dir, ['commit', '-q', '-m', 'theirs fails']).code).not.toBe(0);
    writeFileSync(join(r.dir, '.git', 'hooks', 'pre-commit.pre-leakfix'), original);

    expect(hook(r, 'uninstall').stdout).toBe(`leakfix: removed; restored your previous hook ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(existsSync(join(r.dir, '.git', 'hooks', 'pre-commit.pre-leakfix'))).toBe(false);
    expect(hook(r, 'uninstall').stdout).toBe(`leakfix: not installed in ${file}; nothing to do\n`);
  });

  it('respects core.hooksPath and edits a husky script in place', () => {
    const r = makeRepo('hookspath');
    r.write('a.txt', 'a\n');
    r.commit('initial', { all: true });
    r.git('config', 'core.hooksPath', '.githooks');
    hook(r, 'install');
    expect(existsSync(join(r.dir, '.githooks', 'pre-commit'))).toBe(true);
    expect(existsSync(join(r.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    r.write('a.txt', `TOKEN=${TOKEN}\n`);
    r.git('add', 'a.txt');
    expect(gitRun(r.dir, ['commit', '-q', '-m', 'bad']).code).not.toBe(0);
    r.git('reset', '-q');
    hook(r, 'uninstall');
    expect(existsSync(join(r.dir, '.githooks', 'pre-commit'))).toBe(false);

    // husky 9: core.hooksPath = .husky/_ (generated); the user's script is .husky/pre-commit.
    mkdirSync(join(r.dir, '.husky', '_'), { recursive: true });
    writeFileSync(join(r.dir, '.husky', '_', 'pre-commit'), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
    const userScript = 'npm test\n';
    writeFileSync(join(r.dir, '.husky', 'pre-commit'), userScript);
    r.git('config', 'core.hooksPath', '.husky/_');
    expect(hook(r, 'install').stdout).toBe(`leakfix: added to ${join(r.dir, '.husky', 'pre-commit')}\n`);
    const edited = readFileSync(join(r.dir, '.husky', 'pre-commit'), 'utf8');
    expect(edited.startsWith('# >>> leakfix pre-commit')).toBe(true);
    expect(edited.endsWith(`# <<< leakfix pre-commit <<<\n${userScript}`)).toBe(true);
    expect(readFileSync(join(r.dir, '.husky', '_', 'pre-commit'), 'utf8')).toBe('#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
    hook(r, 'uninstall');
    expect(readFileSync(join(r.dir, '.husky', 'pre-commit'), 'utf8')).toBe(userScript);
  });

  it('ships a .pre-commit-hooks.yaml for the pre-commit framework', () => {
    const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
    expect(hooks).toEqual([expect.objectContaining({ id: 'leakfix', entry: 'leakfix scan --staged', language: 'node', pass_filenames: false })]);
    const bad = leakfix(['hook', 'frobnicate'], { env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('leakfix: error: unknown hook command "frobnicate" (use: leakfix hook install | leakfix hook uninstall)\n');
    const outside = mkdtempSync(join(tmpdir(), 'leakfix-no-repo-'));
    expect(leakfix(['hook', 'install'], { cwd: outside, env: { ...ENV, GIT_CEILING_DIRECTORIES: outside } })).toEqual({ code: 2, stdout: '', stderr: `leakfix: error: ${outside}: not a git repository\n` });
  });
});
