// `leakfix scan --history` on real repositories: attribution to the introducing commit, one
// finding per secret and path across edits, merges, reverts, cherry-picks and renames; refs and
// HEAD survival; odd paths, binary and huge blobs, bare/shallow/empty repositories.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { cleanup, configureHostileGit, ENV, makeRepo, SCRATCH } from './repo.js';
import { fakeGithubToken } from '../helpers/tokens.js';
import { leakfix } from '../helpers/cli.js';

afterAll(cleanup);

const T1 = fakeGithubToken(101);
const T2 = fakeGithubToken(102);
const T3 = fakeGithubToken(103);
const LEN = T1.length; // 40

describe('scan --history', () => {
  it('finds a secret that was added and later removed, attributed to the commit that added it', () => {
    const r = makeRepo('removed');
    r.write('app.py', 'import os\n');
    r.commit('initial', { all: true });
    r.write('app.py', `import os\ntoken = "${T1}"\n`);
    const added = r.commit('add token', { all: true, author: 'Ann Author' });
    r.write('app.py', 'import os\ntoken = os.environ["TOKEN"]\n');
    r.commit('remove token', { all: true });
    const { code, findings } = r.json('--history');
    expect(code).toBe(1);
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect({ path: f.path, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, ruleId: f.ruleId }).toEqual({
      path: 'app.py',
      line: 2,
      column: 10,
      endLine: 2,
      endColumn: 10 + LEN,
      ruleId: 'github.pat-classic',
    });
    expect(f.commit).toEqual({ sha: added, author: 'Ann Author', email: 'ann.author@example.com', date: expect.stringMatching(/^2024-01-01T00:00:01/), subject: 'add token' });
    expect(f.source).toBe('commit');
    expect(f.stillPresent).toBe(false);
    expect(f.refs).toEqual([]);
    expect(f.secret).not.toContain(T1.slice(4, 30)); // redacted by default
  });

  it("reads the same history whatever the repository's git settings (root commit, prefixes, encoding, colour)", () => {
    const r = makeRepo('hostile');
    r.write('src/app.py', `token = "${T1}"\n`);
    const root = r.commit('root with token', { all: true, author: 'Zoë Author' });
    r.write('src/other.py', `key = "${T2}"\n`);
    const second = r.commit('second', { all: true });
    const plain = r.json('--history');
    configureHostileGit(r);
    const { code, findings } = r.json('--history');
    expect(code).toBe(1);
    expect(findings).toEqual(plain.findings);
    expect(findings.map((f) => [f.path, f.line, f.column, f.commit!.sha])).toEqual([
      ['src/app.py', 1, 10, root],
      ['src/other.py', 1, 8, second],
    ]);
    expect(findings[0].commit).toMatchObject({ author: 'Zoë Author', subject: 'root with token' });
  });

  it('scans one blob once per kind of path it sits at: a path-scoped rule sees it only where it applies', () => {
    const r = makeRepo('signatures');
    r.write('.leakfix.yaml', [
      'rules:',
      '  custom:',
      '    - id: acme.internal-key',
      '      name: ACME internal key',
      '      severity: high',
      '      keywords: [intk-]',
      "      pattern: '\\b(?<secret>INTK-[A-Z0-9]{20})\\b'",
      "      paths: ['config/**']",
      '',
    ].join('\n'));
    const text = 'key: INTK-ABCDEFGHIJ0123456789\n';
    r.write('docs/keys.txt', text);
    r.commit('docs first', { all: true });
    r.write('config/keys.txt', text); // the same blob, now where the rule applies
    const inConfig = r.commit('config', { all: true });
    r.write('config/more/keys.txt', text); // and again, at another path of that kind
    const again = r.commit('more config', { all: true });
    const { findings } = r.json('--history');
    expect(findings.filter((f) => f.ruleId === 'acme.internal-key').map((f) => [f.path, f.line, f.column, f.endColumn, f.commit!.sha])).toEqual([
      ['config/keys.txt', 1, 6, 31, inConfig],
      ['config/more/keys.txt', 1, 6, 31, again],
    ]);
  });

  it('finds secrets on unmerged branches and says which refs still carry them', () => {
    const r = makeRepo('branches');
    r.write('README.md', '# app\n');
    r.commit('initial', { all: true });
    r.git('checkout', '-q', '-b', 'feature/x');
    r.write('deploy/config.env', `NAME=app\nGITHUB_TOKEN=${T2}\n`);
    const onBranch = r.commit('feature config', { all: true });
    r.git('tag', 'v-feature');
    r.git('checkout', '-q', 'main');
    const { findings } = r.json('--history');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ path: 'deploy/config.env', line: 2, column: 14, endColumn: 14 + LEN, stillPresent: false, refs: ['feature/x', 'v-feature'] });
    expect(findings[0].commit!.sha).toBe(onBranch);
    // --branch narrows the walk: main alone never saw it.
    expect(r.json('--history', '--branch', 'main').findings).toEqual([]);
    expect(r.json('--history', '--branch', 'feature/x').findings).toHaveLength(1);
  });

  it('finds secrets in deleted files and keeps one finding across a rename (the move is an occurrence)', () => {
    const r = makeRepo('rename');
    r.write('old/settings.yaml', `name: x\ngithub_token: ${T1}\n`);
    r.write('gone.txt', `token ${T3}\n`);
    const first = r.commit('add settings', { all: true });
    r.git('rm', '-q', 'gone.txt');
    r.commit('delete gone');
    mkdirSync(join(r.dir, 'new'));
    r.git('mv', 'old/settings.yaml', 'new/settings.yaml');
    const moved = r.commit('move settings');
    const { findings } = r.json('--history', '--all-occurrences');
    expect(findings.map((f) => [f.path, f.line, f.column, f.endColumn, f.stillPresent])).toEqual([
      ['gone.txt', 1, 7, 7 + LEN, false],
      ['old/settings.yaml', 2, 15, 15 + LEN, true], // still present, at its new path
    ]);
    const settings = findings[1];
    expect(settings.commit!.sha).toBe(first);
    expect(settings.refs).toEqual(['main']);
    expect(settings.occurrences).toEqual([
      { commit: first, path: 'old/settings.yaml' },
      { commit: moved, path: 'new/settings.yaml' },
    ]);
  });

  it('reports one finding through merges, reverts and cherry-picks', () => {
    const r = makeRepo('merges');
    r.write('src/a.js', 'export const a = 1;\n');
    r.commit('initial', { all: true });
    r.git('checkout', '-q', '-b', 'topic');
    r.write('src/client.js', `const auth = "${T2}";\nexport default auth;\n`);
    const introduced = r.commit('client with token', { all: true });
    r.git('checkout', '-q', 'main');
    r.write('src/a.js', 'export const a = 2;\n');
    r.commit('main moves on', { all: true });
    r.git('merge', '-q', '--no-ff', '-m', 'merge topic', 'topic');
    r.write('src/client.js', 'const auth = process.env.AUTH;\nexport default auth;\n');
    const removal = r.commit('remove token', { all: true });
    r.git('revert', '--no-edit', removal);
    const revert = r.git('rev-parse', 'HEAD').trim();
    // Cherry-pick the original commit onto a branch that never had it.
    r.git('checkout', '-q', '-b', 'release', 'main~3');
    r.git('cherry-pick', introduced);
    const picked = r.git('rev-parse', 'HEAD').trim();
    r.git('checkout', '-q', 'main');
    const { findings } = r.json('--history', '--all-occurrences');
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect([f.path, f.line, f.column, f.endColumn]).toEqual(['src/client.js', 1, 15, 15 + LEN]);
    expect(f.commit!.sha).toBe(introduced);
    expect(f.stillPresent).toBe(true); // the revert brought it back
    expect(f.refs).toEqual(['main', 'release', 'topic']);
    expect(f.occurrences!.map((o) => o.commit).sort()).toEqual([introduced, picked, revert].sort());
    // In-thread scanning (no workers) gives the same answer.
    expect(r.json('--history', '--all-occurrences', '--threads', '1').findings).toEqual(findings);
    // Without --all-occurrences: the same single finding, no occurrence list.
    const plain = r.json('--history').findings;
    expect(plain).toHaveLength(1);
    expect(plain[0].occurrences).toBeNull();
  });

  it('handles paths with spaces, quotes and newlines, non-UTF-8 text, binary and huge blobs', () => {
    const r = makeRepo('paths');
    const odd = 'dir with space/we"ird\'s\nname.txt';
    r.write(odd, `x\nkey ${T1}\n`);
    r.write('latin1.txt', Buffer.concat([Buffer.from('caf\xe9 = 1\n', 'latin1'), Buffer.from(`t\xe9 ${T2}\n`, 'latin1')]));
    r.write('image.bin', Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(T3)]));
    r.write('huge.txt', `${'a'.repeat(3000)}\n${T3}\n`);
    r.commit('odd files', { all: true });
    const { findings, notes, stats } = r.json('--history', '--max-file-size', '2KB');
    expect(findings.map((f) => [f.path, f.line, f.column, f.endColumn])).toEqual([
      [odd, 2, 5, 5 + LEN],
      ['latin1.txt', 2, 4, 4 + LEN],
    ]);
    expect(notes.some((n) => n.startsWith('skipped huge.txt') && n.includes('larger than --max-file-size'))).toBe(true);
    expect(stats.binarySkipped).toBe(1);
    expect(stats.files).toBe(2);
  });

  it('works on an empty repository, a bare clone and a shallow clone (with a note)', () => {
    const empty = makeRepo('empty');
    const e = empty.json('--history');
    expect(e.code).toBe(0);
    expect(e.findings).toEqual([]);
    expect(e.notes).toContain('the repository has no commits yet');

    const r = makeRepo('origin');
    r.write('a.txt', 'one\n');
    r.commit('one', { all: true });
    r.write('a.txt', `one\ntoken=${T1}\n`);
    const second = r.commit('two', { all: true });
    r.write('b.txt', 'three\n');
    r.commit('three', { all: true });

    const bare = join(SCRATCH, `bare-${Date.now()}.git`);
    execFileSync('git', ['clone', '-q', '--bare', r.dir, bare], { env: ENV });
    const b = makeRepo('unused', { init: false });
    const inBare = b.json('--history', bare);
    expect(inBare.findings.map((f) => [f.path, f.line, f.column, f.commit!.sha, f.stillPresent])).toEqual([['a.txt', 2, 7, second, true]]);

    const shallow = join(SCRATCH, `shallow-${Date.now()}`);
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${r.dir}`, shallow], { env: ENV });
    const s = b.json('--history', shallow);
    expect(s.notes[0]).toMatch(/shallow clone: history before the shallow boundary is missing/);
    // The boundary commit looks as if it added everything: the secret is attributed to it.
    expect(s.findings.map((f) => [f.path, f.line, f.commit!.subject])).toEqual([['a.txt', 2, 'three']]);
  });

  it('works from a linked worktree and a detached HEAD, and notes submodules', () => {
    const sub = makeRepo('sub');
    sub.write('lib.txt', `inner ${T2}\n`);
    sub.commit('sub', { all: true });
    const r = makeRepo('outer');
    r.write('a.txt', `t=${T1}\n`);
    const first = r.commit('one', { all: true });
    r.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'vendor/sub');
    r.commit('add submodule');
    r.write('a.txt', 'clean\n');
    r.commit('clean', { all: true });
    r.git('checkout', '-q', '--detach', first);
    const detached = r.json('--history');
    expect(detached.findings.map((f) => [f.path, f.line, f.column, f.commit!.sha, f.stillPresent, f.refs])).toEqual([['a.txt', 1, 3, first, true, []]]);
    expect(detached.notes).toContain('skipped submodule vendor/sub (scan its own repository)');

    const wt = join(SCRATCH, `wt-${Date.now()}`);
    r.git('worktree', 'add', '-q', '-b', 'wt-branch', wt, 'main');
    const w = makeRepo('unused-wt', { init: false });
    const fromWorktree = w.json('--history', wt);
    expect(fromWorktree.findings.map((f) => [f.path, f.line, f.column, f.commit!.sha, f.stillPresent])).toEqual([['a.txt', 1, 3, first, false]]);
  });

  it('writes SARIF with the commit and still-present flag, and text grouped by secret', () => {
    const r = makeRepo('sarif');
    r.write('a.env', `TOKEN=${T1}\n`);
    const sha = r.commit('add', { all: true });
    r.write('b.env', `OTHER=${T1}\n`);
    r.commit('copy', { all: true });
    const sarif = JSON.parse(r.scan('--history', '-f', 'sarif').stdout);
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(2);
    expect(results[0].partialFingerprints.commitSha).toBe(sha);
    expect(results[0].properties).toMatchObject({ commit: sha, author: 'Dev One', email: 'dev1@example.com', stillPresent: true, subject: 'add' });
    expect(results[0].locations[0].physicalLocation.region).toMatchObject({ startLine: 1, startColumn: 7, endLine: 1, endColumn: 7 + LEN });
    const text = r.scan('--history').stdout;
    const redacted = `${T1.slice(0, 4)}…${T1.slice(-4)}`;
    expect(text.startsWith(`${redacted}  critical GitHub personal access token (classic) [github.pat-classic]\n  still present at HEAD; on main\n  a.env:1:7\n    introduced in ${sha.slice(0, 12)} by Dev One <dev1@example.com> on 2024-01-01: add\n  b.env:1:7\n`)).toBe(true);
    expect(text.split(redacted).length - 1).toBe(1); // one group for the one secret
  });

  it('respects --max-commits, --since and --until', () => {
    const r = makeRepo('window');
    r.write('a.txt', `t ${T1}\n`);
    r.commit('old', { all: true, date: '2020-01-01T00:00:00Z' });
    r.write('b.txt', `t ${T2}\n`);
    r.commit('new', { all: true, date: '2023-06-01T00:00:00Z' });
    expect(r.json('--history', '--max-commits', '1').findings.map((f) => f.path)).toEqual(['b.txt']);
    expect(r.json('--history', '--since', '2022-01-01').findings.map((f) => f.path)).toEqual(['b.txt']);
    expect(r.json('--history', '--until', '2022-01-01').findings.map((f) => f.path)).toEqual(['a.txt']);
    const bad = r.scan('--history', '--max-commits', 'zero');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-commits must be a whole number');
    const branch = r.scan('--history', '--branch', 'nope');
    expect(branch.code).toBe(2);
    expect(branch.stderr).toContain('--branch nope: no such branch or commit');
  });

  it('stops the git log it started when the scan fails before walking (a broken config)', () => {
    // A log longer than what is held for the walk (8 MiB): git blocks on the full pipe and would
    // keep leakfix alive if nobody ended it.
    const r = makeRepo('early-fail');
    let stream = '';
    for (let c = 1; c <= 4000; c++) {
      stream += `commit refs/heads/main\ncommitter Dev <dev@example.com> ${1_600_000_000 + c} +0000\ndata 1\nc\n`;
      for (let f = 0; f < 25; f++) stream += `M 100644 inline a/rather/long/directory/path/to/make/the/log/big/file_${f}.txt\ndata ${String(c).length}\n${c}\n`;
      stream += '\n';
    }
    execFileSync('git', ['fast-import', '--quiet'], { cwd: r.dir, env: ENV, input: stream, maxBuffer: 1 << 28 });
    r.git('reset', '-q', '--hard', 'main');
    r.write('.leakfix.yaml', 'rules: [unclosed\n');
    const broken = leakfix(['scan', '--history'], { cwd: r.dir, env: ENV, timeout: 15_000 }); // killed (code -1) if it hangs
    expect(broken.code).toBe(2);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).toMatch(/^leakfix: error: .*\.leakfix\.yaml/);
  }, 60_000);
});
