// `leakfix scan --staged` (index versions, added lines only) and `--range BASE..HEAD` (lines the
// range's commits add, merges counted against every parent) on real repositories.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, configureHostileGit, ENV, makeRepo, SCRATCH } from './repo.js';
import { leakfix } from '../helpers/cli.js';
import { fakeGithubToken } from '../helpers/tokens.js';

afterAll(cleanup);

const T = (n: number) => fakeGithubToken(200 + n);
const LEN = T(0).length;
const ZERO = '0'.repeat(40);

describe('scan --staged', () => {
  it('scans the index version of a partially staged file and reports only the added lines', () => {
    const r = makeRepo('partial');
    r.write('conf.ini', `[a]\nold = ${T(1)}\nport = 1\n`);
    r.commit('existing finding', { all: true });
    r.write('conf.ini', `[a]\nold = ${T(1)}\nport = 1\nnew = ${T(2)}\n`);
    r.git('add', 'conf.ini');
    // An unstaged edit after staging: the working copy differs from the index.
    r.write('conf.ini', `[a]\nold = ${T(1)}\nport = 1\nnew = ${T(2)}\nlater = ${T(3)}\n`);
    const { code, findings, stats } = r.json('--staged');
    expect(code).toBe(1);
    expect(findings.map((f) => [f.path, f.line, f.column, f.endLine, f.endColumn, f.source, f.ruleId])).toEqual([['conf.ini', 4, 7, 4, 7 + LEN, 'staged', 'github.pat-classic']]);
    expect(stats.files).toBe(1);
  });

  it('lets an unrelated change through a file with an old finding, and prints the ways out when blocking', () => {
    const r = makeRepo('unrelated');
    r.write('app.js', `const t = "${T(1)}";\nconst x = 1;\n`);
    r.commit('old', { all: true });
    r.write('app.js', `const t = "${T(1)}";\nconst x = 2;\n`);
    r.git('add', 'app.js');
    const ok = r.scan('--staged');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('No secrets found.');

    r.write('app.js', `const t = "${T(1)}";\nconst x = 2;\nconst y = "${T(4)}";\n`);
    r.git('add', 'app.js');
    const blocked = r.scan('--staged');
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('app.js\n  3:12 ');
    expect(blocked.stderr).toContain('leakfix: commit blocked: 1 secret(s) in the staged changes:');
    expect(blocked.stderr).toContain(`  app.js:3  github.pat-classic  ${T(4).slice(0, 4)}…${T(4).slice(-4)}`);
    expect(blocked.stderr).toContain('leakfix fix --staged');
    expect(blocked.stderr).toContain('leakfix:allow');
    expect(blocked.stdout + blocked.stderr).not.toContain(T(4));
  });

  it('works before the first commit, with odd paths, and skips binary and allowed lines', () => {
    const r = makeRepo('initial');
    const odd = 'a "quoted"\nname with space.env';
    r.write(odd, `X=1\nTOKEN=${T(5)}\n`);
    r.write('blob.bin', Buffer.concat([Buffer.from([0, 0, 1]), Buffer.from(T(6))]));
    r.write('ok.env', `TOKEN=${T(7)} # leakfix:allow\n`);
    r.git('add', '-A');
    const { findings, stats } = r.json('--staged');
    expect(findings.map((f) => [f.path, f.line, f.column, f.endColumn])).toEqual([[odd, 2, 7, 7 + LEN]]);
    expect(stats.files).toBe(2); // the binary blob has no text lines to report
  });

  it('reports nothing for deletions and an empty index', () => {
    const r = makeRepo('delete');
    r.write('s.env', `TOKEN=${T(8)}\n`);
    r.commit('add', { all: true });
    expect(r.json('--staged').findings).toEqual([]);
    r.git('rm', '-q', 's.env');
    expect(r.json('--staged')).toMatchObject({ code: 0, findings: [] });
  });
});

describe("git settings that change git's output", () => {
  it('change nothing for --staged (run from a subdirectory) and --range over a root commit', () => {
    const r = makeRepo('hostile-git');
    r.write('app/settings.py', `DEBUG = True\nTOKEN = "${T(30)}"\n`);
    const root = r.commit('root', { all: true, author: 'Zoë Root' });
    configureHostileGit(r);
    r.write('app/settings.py', `DEBUG = True\nTOKEN = "${T(30)}"\nOTHER = "${T(31)}"\n`);
    r.git('add', '-A');
    const staged = leakfix(['scan', '--staged', '-f', 'json'], { cwd: join(r.dir, 'app'), env: ENV });
    expect(staged.code).toBe(1);
    expect(JSON.parse(staged.stdout).findings.map((f: { path: string; line: number; column: number }) => [f.path, f.line, f.column])).toEqual([['app/settings.py', 3, 10]]);
    const second = r.commit('second');
    const { findings } = r.json('--range', `${ZERO}..HEAD`);
    expect(findings.map((f) => [f.path, f.line, f.column, f.commit!.sha])).toEqual([
      ['app/settings.py', 2, 10, root],
      ['app/settings.py', 3, 10, second],
    ]);
    expect(findings[0].commit).toMatchObject({ author: 'Zoë Root', subject: 'root' });
  });
});

describe('scan --range', () => {
  /** main: base → M1 (secret on main); topic from base: A (secret) → merge main into topic → B. */
  function mergeRepo() {
    const r = makeRepo('range');
    r.write('README.md', 'readme\n');
    const base = r.commit('base', { all: true });
    r.git('checkout', '-q', '-b', 'topic');
    r.write('topic.env', `A=1\nTOPIC=${T(10)}\n`);
    const a = r.commit('topic secret', { all: true, author: 'Topic Author' });
    r.git('checkout', '-q', 'main');
    r.write('main.env', `MAIN=${T(11)}\n`);
    const m1 = r.commit('main secret', { all: true });
    r.git('checkout', '-q', 'topic');
    r.git('merge', '-q', '--no-ff', '-m', 'merge main into topic', 'main');
    r.write('topic.env', `A=1\nTOPIC=${T(10)}\nB=${T(12)}\n`);
    const b = r.commit('more', { all: true });
    return { r, base, a, m1, b };
  }

  it('reports only lines the range adds, attributed to their commits, across a merge of the base branch', () => {
    const { r, base, a, m1, b } = mergeRepo();
    // From the fork point, main's commit is part of the range too (reachable through the merge).
    const { code, findings } = r.json('--range', `${base}..topic`);
    expect(code).toBe(1);
    expect(findings.map((f) => [f.path, f.line, f.column, f.endColumn, f.commit!.sha])).toEqual([
      ['main.env', 1, 6, 6 + LEN, m1],
      ['topic.env', 2, 7, 7 + LEN, a],
      ['topic.env', 3, 3, 3 + LEN, b],
    ]);
    expect(findings[1].commit).toMatchObject({ author: 'Topic Author', subject: 'topic secret' });
    // main..topic is the pull request view: the merge brought main's secret, not the PR.
    expect(r.json('--range', 'main..topic').findings.map((f) => f.commit!.sha)).toEqual([a, b]);
    // --since-commit SHA is SHA..HEAD (HEAD is topic here).
    expect(r.json('--since-commit', base).findings.map((f) => f.commit!.sha)).toEqual([m1, a, b]);
  });

  it('attributes a secret written while resolving a merge to the merge commit', () => {
    const { r, m1 } = mergeRepo();
    r.git('checkout', '-q', 'main');
    r.write('other.txt', 'x\n');
    r.commit('main again', { all: true });
    r.git('merge', '-q', '--no-ff', '--no-commit', 'topic');
    r.write('merge.env', `EVIL=${T(13)}\n`);
    r.git('add', 'merge.env');
    r.commit('evil merge');
    const merge = r.git('rev-parse', 'HEAD').trim();
    const { findings } = r.json('--range', `${m1}..HEAD`);
    const byPath = findings.map((f) => [f.path, f.line, f.column, f.commit!.subject]);
    expect(byPath).toContainEqual(['merge.env', 1, 6, 'evil merge']);
    expect(findings.find((f) => f.path === 'merge.env')!.commit!.sha).toBe(merge);
    expect(findings.some((f) => f.path === 'main.env')).toBe(false);
  });

  it('handles a base that is not an ancestor, the all-zero base of a new branch, and a missing base', () => {
    const { r, m1, a, b } = mergeRepo();
    r.git('checkout', '-q', 'main');
    r.write('late.txt', 'late\n');
    const late = r.commit('main after merge', { all: true });
    r.git('checkout', '-q', 'topic');
    const side = r.json('--range', `${late}..topic`);
    expect(side.notes.some((n) => n.startsWith(`base ${late} is not an ancestor of topic: scanning from their merge base ${m1.slice(0, 12)}`))).toBe(true);
    expect(side.findings.map((f) => f.commit!.sha)).toEqual([a, b]);

    // A new branch pushed for the first time: only the commits no other ref has.
    r.git('checkout', '-q', '-b', 'fresh');
    r.write('fresh.env', `FRESH=${T(14)}\n`);
    const fresh = r.commit('fresh work', { all: true });
    const zero = r.json('--range', `${ZERO}..fresh`);
    expect(zero.notes[0]).toContain('all-zero SHA');
    expect(zero.findings.map((f) => [f.path, f.line, f.column, f.commit!.sha])).toEqual([['fresh.env', 1, 7, fresh]]);

    const missing = r.scan('--range', `${'1234567'.repeat(5)}12345..HEAD`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^leakfix: error: --range .*: base 1234567\S* is not in this clone: fetch more history/);
    const bothModes = r.scan('--range', 'main..topic', '--staged');
    expect(bothModes.code).toBe(2);
  });

  it('does not duplicate a cherry-picked secret and explains a shallow clone', () => {
    const r = makeRepo('pick');
    r.write('a.txt', 'a\n');
    const base = r.commit('base', { all: true });
    r.git('checkout', '-q', '-b', 'side');
    r.write('s.env', `S=${T(15)}\n`);
    const original = r.commit('secret on side', { all: true });
    r.git('checkout', '-q', 'main');
    r.git('cherry-pick', original);
    const picked = r.git('rev-parse', 'HEAD').trim();
    r.git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    const { findings } = r.json('--range', `${base}..HEAD`, '--all-occurrences');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ path: 's.env', line: 1, column: 3, endColumn: 3 + LEN });
    expect(findings[0].occurrences!.map((o) => o.commit).sort()).toEqual([original, picked].sort());

    const shallow = join(SCRATCH, `shallow-range-${Date.now()}`);
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${r.dir}`, shallow], { env: ENV });
    const s = makeRepo('x', { init: false });
    const out = s.scan('--range', `${base}..HEAD`, shallow);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('(a shallow clone): fetch more history');
  });
});
