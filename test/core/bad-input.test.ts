// Bad inputs give the documented behaviour: a one-line error and exit 2 for what the user must
// fix, a note (never a crash or a hang) for files that cannot be scanned.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { leakfix } from '../helpers/cli.js';
import { fakeGithubToken } from '../helpers/tokens.js';
import { tempTree } from './helpers.js';
import { redact } from '../../src/detect/redact.js';

const gh = fakeGithubToken(41);
const json = (stdout: string) => JSON.parse(stdout) as { findings: Record<string, unknown>[]; notes: string[]; stats: Record<string, number> };

describe('errors the user fixes: one line, exit 2', () => {
  it('a missing path', () => {
    expect(leakfix(['scan', 'missing/dir'], { cwd: tempTree() })).toEqual({ code: 2, stdout: '', stderr: 'leakfix: error: path not found: missing/dir\n' });
  });

  it('a git scan given a file, a missing directory or a directory outside any repository', () => {
    const dir = tempTree({ 'notes.txt': 'x\n' });
    for (const mode of [['--history'], ['--staged'], ['--range', 'HEAD~1..HEAD']]) {
      expect(leakfix(['scan', ...mode, 'notes.txt'], { cwd: dir }), mode[0]).toEqual({ code: 2, stdout: '', stderr: "leakfix: error: notes.txt: not a directory (a git scan takes the repository's directory)\n" });
      expect(leakfix(['scan', ...mode, 'nope'], { cwd: dir }), mode[0]).toEqual({ code: 2, stdout: '', stderr: 'leakfix: error: nope: no such directory\n' });
      const outside = leakfix(['scan', ...mode, '.'], { cwd: dir, env: { GIT_CEILING_DIRECTORIES: dir } });
      expect(outside.code, mode[0]).toBe(2);
      expect(outside.stderr, mode[0]).toMatch(/^leakfix: error: .*: not a git repository\n$/);
    }
  });

  it('invalid config YAML names the file', () => {
    const dir = tempTree({ '.leakfix.yaml': 'allow: [\n' });
    const r = leakfix(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^leakfix: error: ${join(dir, '.leakfix.yaml')}: cannot parse YAML: .+\\n$`));
    expect(r.stderr.split('\n').length).toBe(2);
  });

  it('an unknown config key names the file and the key', () => {
    const dir = tempTree({ '.leakfix.yaml': 'allow:\n  paths: [a]\nbogus: 1\n' });
    expect(leakfix(['scan', '.'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: `leakfix: error: ${join(dir, '.leakfix.yaml')}: unknown key \`bogus\` (known: rules, allow, exclude, include, generic, decode, ast, max_file_size)\n`,
    });
  });

  it('an invalid custom regex names the file and the rule id', () => {
    const dir = tempTree({ 'conf.yaml': "rules:\n  custom:\n    - id: custom.bad\n      name: Bad\n      severity: low\n      keywords: [bad_]\n      pattern: '(?<secret>bad_[a-z'\n" });
    expect(leakfix(['scan', '.', '--config', 'conf.yaml'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: `leakfix: error: ${join(dir, 'conf.yaml')}: rule custom.bad: invalid pattern: Invalid regular expression: /(?<secret>bad_[a-z/dg: Unterminated character class\n`,
    });
  });

  it('a missing --config file', () => {
    const dir = tempTree();
    expect(leakfix(['scan', '.', '--config', 'nope.yaml'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: `leakfix: error: ${join(dir, 'nope.yaml')}: cannot read config: ENOENT\n` });
  });

  it('an invalid --format', () => {
    const r = leakfix(['scan', '.', '--format', 'xml'], { cwd: tempTree() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^leakfix: error: unknown --format xml \(use text, json, sarif, github.*\)\n$/);
  });

  it('an invalid --threads and --max-file-size', () => {
    expect(leakfix(['scan', '.', '--threads=-1'], { cwd: tempTree() }).stderr).toBe('leakfix: error: --threads must be a whole number from 1 to 256, got "-1"\n');
    expect(leakfix(['scan', '.', '--max-file-size', 'huge'], { cwd: tempTree() })).toEqual({ code: 2, stdout: '', stderr: 'leakfix: error: --max-file-size: invalid size "huge" (use bytes or e.g. 10MB)\n' });
  });

  it('an unknown option', () => {
    const r = leakfix(['scan', '.', '--colour'], { cwd: tempTree() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^leakfix: error: Unknown option '--colour'.* \(see leakfix --help\)\n$/);
  });
});

describe('files that cannot be scanned: a note, not a crash', () => {
  it('a FIFO where git expects a tracked file is skipped with a note (fails for root too)', () => {
    const dir = tempTree({ 'a.env': `TOKEN=${gh}\n`, special: 'data\n' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '.'], { cwd: dir });
    execFileSync('rm', [join(dir, 'special')]);
    execFileSync('mkfifo', [join(dir, 'special')]);
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir, timeout: 30_000 });
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.notes).toEqual(['skipped special: not a regular file']);
    expect(report.findings.map((f) => `${f.path}:${f.line}:${f.column}`)).toEqual(['a.env:1:7']);
  });

  it('a submodule directory listed by git is skipped with a note', () => {
    const dir = tempTree({ 'a.txt': 'ok\n', 'sub/inner.txt': 'x\n' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},sub`], { cwd: dir });
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(json(r.stdout).notes).toEqual(['skipped sub: directory (submodule?)']);
  });

  it('a dangling symlink is ignored', () => {
    const dir = tempTree({ 'a.txt': 'ok\n' });
    symlinkSync(join(dir, 'gone.txt'), join(dir, 'dangling.txt'));
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(json(r.stdout).stats.files).toBe(1);
  });
});

describe('binary, non-UTF-8 and large files', () => {
  it('a binary file (NUL byte) is skipped and counted', () => {
    const dir = tempTree({ 'blob.bin': Buffer.concat([Buffer.from([0x89, 0x50, 0x00, 0x01]), Buffer.from(`TOKEN=${gh}`)]), 'a.txt': 'ok\n' });
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(json(r.stdout).stats).toMatchObject({ files: 1, binarySkipped: 1 });
  });

  it('a non-UTF-8 (Latin-1) file is scanned with exact positions', () => {
    const dir = tempTree({ 'legacy.ini': Buffer.concat([Buffer.from('; Gr\xfc\xdfe aus K\xf6ln\n', 'latin1'), Buffer.from(`token = ${gh}\n`)]) });
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(json(r.stdout).findings.map((f) => [f.path, f.line, f.column, f.startByte, f.endByte, f.secret])).toEqual([['legacy.ini', 2, 9, 25, 65, redact(gh)]]);
  });

  it('a 1-line 50 MB file: skipped with a note by default, scanned with --max-file-size 64MB', () => {
    const size = 50 * 1024 * 1024;
    const column = 40_000_001;
    const filler = 'lorem ipsum dolor sit amet consectetur ';
    const line = Buffer.alloc(size, filler);
    line.write(` ${gh} `, column - 2, 'utf8');
    const dir = tempTree({ 'huge.min.js': line, 'small.txt': 'ok\n' });
    const skipped = leakfix(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(skipped.code).toBe(0);
    expect(json(skipped.stdout).notes).toEqual([`skipped huge.min.js: larger than --max-file-size (${size} > 10485760 bytes)`]);
    const text = leakfix(['scan', '.'], { cwd: dir });
    expect(text.stdout).toContain(`note: skipped huge.min.js: larger than --max-file-size (${size} > 10485760 bytes)`);
    const scanned = leakfix(['scan', '.', '-f', 'json', '--max-file-size', '64MB'], { cwd: dir });
    expect(scanned.code).toBe(1);
    const report = json(scanned.stdout);
    expect(report.notes).toEqual([]);
    expect(report.findings.map((f) => [f.path, f.ruleId, f.line, f.column, f.endLine, f.endColumn, f.startByte])).toEqual([['huge.min.js', 'github.pat-classic', 1, column, 1, column + 40, column - 1]]);
  });
});

describe('symlinks', () => {
  it('symlinks pointing outside the root are not followed, in a plain directory and in a git repo', () => {
    const outside = tempTree({ 'secret.env': `TOKEN=${gh}\n`, 'dir/x.env': `TOKEN=${gh}\n` });
    const dir = tempTree({ 'inside/real.env': `TOKEN=${gh}\n` });
    symlinkSync(join(outside, 'secret.env'), join(dir, 'out-file.env'));
    symlinkSync(join(outside, 'dir'), join(dir, 'out-dir'));
    symlinkSync('../../' + outside.split('/').pop() + '/secret.env', join(dir, 'inside', 'relative-out.env'));
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'plain.txt'), 'ok\n');
    const paths = (...extra: string[]) => {
      const r = leakfix(['scan', '.', '-f', 'json', ...extra], { cwd: dir });
      expect(r.code).toBe(1);
      return json(r.stdout).findings.map((f) => f.path);
    };
    expect(paths()).toEqual(['inside/real.env']);
    expect(paths('--no-ignore')).toEqual(['inside/real.env']);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '.'], { cwd: dir });
    expect(paths()).toEqual(['inside/real.env']);
  });
});
