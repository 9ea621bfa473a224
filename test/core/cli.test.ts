// The real CLI as a child process on temp trees: formats, --output, exit codes, redaction,
// baselines, ignore files, path filters, --rules, threads, quiet, stdin and config files.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, leakfix } from '../helpers/cli.js';
import { fakeGithubToken, fakeString } from '../helpers/tokens.js';
import { fakeStripeKey, tempTree, writeTree } from './helpers.js';
import { redact } from '../../src/detect/redact.js';

const gh = fakeGithubToken(21);
const stripe = fakeStripeKey(22);

/** app.js: a GitHub token at 2:16; settings.py: a generic password at 1:16; README quiet. */
function basicTree(): string {
  return tempTree({
    'src/app.js': `const a = 1;\nconst token = "${gh}";\n`,
    'settings.py': 'db_password = "Summer2024!"\n',
    'README.md': '# nothing to see\n',
  });
}

const json = (stdout: string) => JSON.parse(stdout) as { findings: Record<string, unknown>[]; notes: string[]; stats: Record<string, number> | null };
const located = (stdout: string) => json(stdout).findings.map((f) => `${f.path}:${f.line}:${f.column} ${f.ruleId}`);

describe('formats', () => {
  it('text: grouped by file, redacted line, rule name, remediation, no colour when not a TTY', () => {
    const r = leakfix(['scan', '.', '-q'], { cwd: basicTree() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'settings.py',
        '  1:16     high     Hard-coded password [generic.password]  Su…!',
        '           db_password = "Su…!"',
        '           fix: Change the password and read it from the environment or a secret store.',
        '',
        'src/app.js',
        `  2:16     critical GitHub personal access token (classic) [github.pat-classic]  ${redact(gh)}`,
        `           const token = "${redact(gh)}";`,
        '           fix: Delete the token under Settings > Developer settings > Personal access tokens and create a fine-grained token with the least scope needed.',
        '',
        '2 secrets found in 2 file(s).',
        '',
      ].join('\n'),
    );
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('text: a summary with file count and size unless -q', () => {
    const r = leakfix(['scan', '.'], { cwd: basicTree() });
    expect(r.stdout).toMatch(/\n2 secrets found in 2 file\(s\)\. \(3 files, 0\.0 MB in \d+ ms\)\n$/);
  });

  it('text: colour on a TTY, none on a TTY with NO_COLOR', () => {
    const dir = basicTree();
    const onTty = (env: Record<string, string>) =>
      spawnSync('script', ['-qec', `${process.execPath} ${BIN} scan . -q`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const coloured = onTty({ NO_COLOR: '' });
    expect(coloured.status).toBe(1);
    expect(coloured.stdout).toContain('\x1b[1msettings.py\x1b[0m');
    expect(coloured.stdout).toContain('\x1b[1;31mcritical\x1b[0m');
    const plain = onTty({ NO_COLOR: '1' });
    expect(plain.stdout).toContain('settings.py');
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it('json: the documented fields with exact positions', () => {
    const r = leakfix(['scan', '.', '--format', 'json'], { cwd: basicTree() });
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(Object.keys(report)).toEqual(['version', 'tool', 'findings', 'notes', 'stats']);
    expect(report.findings[1]).toEqual({
      ruleId: 'github.pat-classic',
      ruleName: 'GitHub personal access token (classic)',
      detector: 'pattern',
      severity: 'critical',
      confidence: 'high',
      path: 'src/app.js',
      line: 2,
      column: 16,
      endLine: 2,
      endColumn: 56,
      startByte: 28,
      endByte: 68,
      secret: redact(gh),
      redacted: true,
      entropy: expect.any(Number),
      fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/),
      encoding: null,
      source: 'file',
      commit: null,
      stillPresent: null,
      refs: null,
      occurrences: null,
      flow: null,
      remediation: expect.stringContaining('Personal access tokens'),
    });
    expect(report.findings[0]).toMatchObject({ ruleId: 'generic.password', path: 'settings.py', line: 1, column: 16, endColumn: 27, startByte: 15, endByte: 26, secret: 'Su…!' });
    expect(report.stats).toMatchObject({ files: 3, binarySkipped: 0 });
  });

  it('sarif: a SARIF 2.1.0 log with one result per finding', () => {
    const r = leakfix(['scan', '.', '-f', 'sarif'], { cwd: basicTree() });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['generic.password', 'github.pat-classic']);
  });

  it('github: one workflow-command annotation per finding', () => {
    const r = leakfix(['scan', '.', '-f', 'github'], { cwd: basicTree() });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      '::error file=settings.py,line=1,col=16,endLine=1,endColumn=27,title=Hard-coded password (generic.password)::Hard-coded password: Su…!. Change the password and read it from the environment or a secret store. To accept it, add a leakfix:allow comment on the line.',
      `::error file=src/app.js,line=2,col=16,endLine=2,endColumn=56,title=GitHub personal access token (classic) (github.pat-classic)::GitHub personal access token (classic): ${redact(gh)}. Delete the token under Settings > Developer settings > Personal access tokens and create a fine-grained token with the least scope needed. To accept it, add a leakfix:allow comment on the line.`,
      '',
    ]);
  });

  it('--output FILE writes the report, still exits 1', () => {
    const dir = basicTree();
    const r = leakfix(['scan', '.', '-f', 'json', '--output', 'report.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('leakfix: 2 finding(s) written to report.json\n');
    expect(located(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(['settings.py:1:16 generic.password', 'src/app.js:2:16 github.pat-classic']);
  });
});

describe('exit codes', () => {
  it('0 without findings, 1 with findings, 2 on errors', () => {
    const clean = tempTree({ 'a.txt': 'hello\n' });
    expect(leakfix(['scan', '.', '-q'], { cwd: clean })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(leakfix(['scan', '.'], { cwd: clean }).stdout).toMatch(/^No secrets found\. \(1 files, 0\.0 MB in \d+ ms\)\n$/);
    expect(leakfix(['scan', '.'], { cwd: basicTree() }).code).toBe(1);
    const bad = leakfix(['scan', 'does-not-exist'], { cwd: clean });
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'leakfix: error: path not found: does-not-exist\n' });
  });
});

describe('secrets stay redacted', () => {
  it('--show-secrets prints the secret in every format', () => {
    const dir = basicTree();
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = leakfix(['scan', '.', '-f', format, '--show-secrets'], { cwd: dir });
      expect(r.stdout, format).toContain(gh);
      expect(r.stdout, format).toContain('Summer2024!');
    }
  });

  it('without it, no stdout, stderr or --output file contains a full secret', () => {
    const dir = tempTree({
      'a.env': `GITHUB_TOKEN=${gh}\nSTRIPE_KEY=${stripe}\nDB_PASSWORD=Summer2024!\n`,
      'b.yaml': `auth:\n  token: "${gh}"\n`,
    });
    const outputs: string[] = [];
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = leakfix(['scan', '.', '-f', format], { cwd: dir });
      expect(r.code, format).toBe(1);
      outputs.push(r.stdout, r.stderr);
      const o = leakfix(['scan', '.', '-f', format, '-o', `out.${format}`], { cwd: dir });
      outputs.push(o.stdout, o.stderr, readFileSync(join(dir, `out.${format}`), 'utf8'));
    }
    const all = outputs.join('\n');
    expect(all).toContain(redact(gh));
    for (const secret of [gh, stripe, 'Summer2024!', gh.slice(4, 20), stripe.slice(8, 24)]) expect(all).not.toContain(secret);
  });
});

describe('baselines', () => {
  it('a later scan reports only findings not in the baseline; the baseline holds no secret', () => {
    const dir = tempTree({ 'a.env': `GITHUB_TOKEN=${gh}\n` });
    const created = leakfix(['baseline', 'create', '.', '-o', 'base.json'], { cwd: dir });
    expect(created).toEqual({ code: 0, stdout: '', stderr: 'leakfix: baseline of 1 finding(s) written to base.json\n' });
    const baseline = readFileSync(join(dir, 'base.json'), 'utf8');
    expect(baseline).not.toContain(gh);
    expect(baseline).not.toContain(gh.slice(4, 20));
    expect(JSON.parse(baseline)).toEqual({ version: 1, tool: 'leakfix', findings: [{ fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/), ruleId: 'github.pat-classic', path: 'a.env', line: 1 }] });
    // Lines move and a new secret arrives: only the new one is reported.
    writeFileSync(join(dir, 'a.env'), `# moved\n\nSTRIPE_KEY=${stripe}\nGITHUB_TOKEN=${gh}\n`);
    const r = leakfix(['scan', '.', '--baseline', 'base.json', '-f', 'json', '--exclude', 'base.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(located(r.stdout)).toEqual(['a.env:3:12 stripe.secret-key']);
    writeFileSync(join(dir, 'a.env'), `GITHUB_TOKEN=${gh}\n`);
    expect(leakfix(['scan', '.', '--baseline', 'base.json', '-q'], { cwd: dir }).code).toBe(0);
  });

  it('a missing baseline file is an error', () => {
    const r = leakfix(['scan', '.', '--baseline', 'nope.json'], { cwd: tempTree({ 'a.txt': 'x' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^leakfix: error: .*nope\.json: cannot read baseline: file not found\n$/);
  });
});

describe('which files are scanned', () => {
  const tree = () => ({
    '.gitignore': 'ignored/\n*.log\n',
    'ignored/a.env': `TOKEN=${gh}\n`,
    'debug.log': `TOKEN=${gh}\n`,
    'kept/a.env': `TOKEN=${gh}\n`,
    'sub/.gitignore': 'local.env\n',
    'sub/local.env': `TOKEN=${gh}\n`,
    'sub/other.env': `TOKEN=${gh}\n`,
  });
  const paths = (dir: string, ...args: string[]) => [...new Set(json(leakfix(['scan', '.', '-f', 'json', ...args], { cwd: dir }).stdout).findings.map((f) => f.path as string))];

  it('.gitignore is respected in a plain directory', () => {
    expect(paths(tempTree(tree()))).toEqual(['kept/a.env', 'sub/other.env']);
  });

  it('.gitignore is respected in a real git repository', () => {
    const dir = tempTree(tree());
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', 'kept'], { cwd: dir });
    expect(paths(dir)).toEqual(['kept/a.env', 'sub/other.env']);
  });

  it('--no-ignore scans ignored files too', () => {
    expect(paths(tempTree(tree()), '--no-ignore')).toEqual(['debug.log', 'ignored/a.env', 'kept/a.env', 'sub/local.env', 'sub/other.env']);
  });

  it('.leakfixignore uses gitignore syntax', () => {
    const dir = tempTree({ ...tree(), '.leakfixignore': 'kept/\n' });
    expect(paths(dir)).toEqual(['sub/other.env']);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    expect(paths(dir)).toEqual(['sub/other.env']);
  });

  it('--include and --exclude globs', () => {
    const dir = tempTree(tree());
    expect(paths(dir, '--include', 'sub/**')).toEqual(['sub/other.env']);
    expect(paths(dir, '--exclude', 'sub/**')).toEqual(['kept/a.env']);
    expect(paths(dir, '--include', '**/*.env', '--exclude', 'kept/**')).toEqual(['sub/other.env']);
  });

  it('--rules runs only the listed rule ids (globs allowed)', () => {
    const dir = tempTree({ 'a.env': `A=${gh}\nB=${stripe}\nDB_PASSWORD=Summer2024!\n` });
    const ids = (...args: string[]) => json(leakfix(['scan', '.', '-f', 'json', ...args], { cwd: dir }).stdout).findings.map((f) => f.ruleId);
    expect(ids()).toEqual(['github.pat-classic', 'stripe.secret-key', 'generic.password']);
    expect(ids('--rules', 'stripe.*')).toEqual(['stripe.secret-key']);
    expect(ids('--rules', 'github.pat-classic,generic.password')).toEqual(['github.pat-classic', 'generic.password']);
    const none = leakfix(['scan', '.', '--rules', 'nothing.*'], { cwd: dir });
    expect(none).toEqual({ code: 2, stdout: '', stderr: 'leakfix: error: --rules nothing.*: no rule matches\n' });
  });
});

describe('threads', () => {
  /** A JSON scan of `dir` with findings (exit 1), reduced to what must not depend on threads. */
  const scanWithThreads = (dir: string, threads: string) => {
    const r = leakfix(['scan', '.', '-f', 'json', '--threads', threads], { cwd: dir });
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    return { findings: report.findings, notes: report.notes, files: report.stats!.files, bytes: report.stats!.bytes };
  };

  it('--threads 1 and --threads 2 give identical output on 240 files / 6 MB', () => {
    const files: Record<string, string> = {};
    const filler = Array.from({ length: 400 }, (_, i) => `export const value${i} = compute(${i}, "${fakeString(i, 24, 'abcdefghij')}"); // line ${i}\n`).join('');
    for (let i = 0; i < 240; i++) {
      const secret = i % 16 === 0 ? `\nconst token = "${fakeGithubToken(1000 + i)}";\n` : '';
      files[`pkg${i % 7}/file${String(i).padStart(3, '0')}.ts`] = filler.slice(0, 12_000 + (i % 5) * 3_000) + secret + filler;
    }
    const dir = tempTree(files);
    const total = Object.values(files).reduce((n, s) => n + s.length, 0);
    expect(total).toBeGreaterThan(5 * 1024 * 1024);
    const one = scanWithThreads(dir, '1');
    const two = scanWithThreads(dir, '2');
    expect(two).toEqual(one);
    expect(one.files).toBe(240);
    expect(one.bytes).toBe(total);
    expect(one.findings.map((f) => `${f.path}:${f.line}`)).toEqual(Array.from({ length: 15 }, (_, k) => `pkg${(k * 16) % 7}/file${String(k * 16).padStart(3, '0')}.ts:${files[`pkg${(k * 16) % 7}/file${String(k * 16).padStart(3, '0')}.ts`].split('\n').findIndex((l) => l.startsWith('const token')) + 1}`).sort());
  });

  it('jobs streamed to the workers while a large tree is still listed: same output as one thread', () => {
    // 1,500 files in 150 directories (three listing batches or more), nested ignore files, 6 MB.
    const files: Record<string, string> = {};
    const filler = Array.from({ length: 100 }, (_, i) => `export const value${i} = compute(${i}, "${fakeString(i, 24, 'abcdefghij')}");\n`).join('');
    for (let i = 0; i < 1500; i++) {
      const secret = i % 97 === 0 ? `const token = "${fakeGithubToken(2000 + i)}";\n` : '';
      files[`d${i % 10}/e${i % 15}/f${String(i).padStart(4, '0')}.ts`] = filler.slice(0, 3_000 + (i % 3) * 500) + secret;
    }
    files['d3/.gitignore'] = 'e4/\n';
    files['d5/e5/.leakfixignore'] = '*.ts\n!f0005.ts\n';
    const dir = tempTree(files);
    const listed = Object.keys(files).filter((p) => p.endsWith('.ts') && !p.startsWith('d3/e4/') && !(p.startsWith('d5/e5/') && p !== 'd5/e5/f0005.ts'));
    const one = scanWithThreads(dir, '1');
    const two = scanWithThreads(dir, '2');
    expect(two).toEqual(one);
    // .gitignore/.leakfixignore files themselves are scanned too.
    expect(one.files).toBe(listed.length + 2);
    const expected = listed.filter((p) => files[p].includes('const token')).sort();
    expect(one.findings.map((f) => f.path)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(10);
  });

  it('with workers, files that want the AST stage are parsed on the main thread with the same findings', () => {
    const files: Record<string, string> = {};
    const filler = Array.from({ length: 400 }, (_, i) => `export const value${i} = compute(${i}, "${fakeString(i, 24, 'abcdefghij')}"); // line ${i}\n`).join('');
    for (let i = 0; i < 200; i++) files[`pkg/file${String(i).padStart(3, '0')}.ts`] = filler;
    // A low-entropy password that only reaches a sink through a constant: only the AST stage sees it.
    files['src/db.ts'] = "import { Pool } from 'pg';\nconst pw = 'Winter' + '2023?';\nexport const pool = new Pool({ host: 'db', password: pw });\n";
    const dir = tempTree(files);
    const run = (threads: string) => {
      const r = leakfix(['scan', '.', '-f', 'json', '--threads', threads], { cwd: dir });
      expect(r.code).toBe(1);
      const report = json(r.stdout);
      return { findings: report.findings, parsed: (report.stats as { ast?: { parsed: number } }).ast?.parsed };
    };
    const one = run('1');
    const two = run('2');
    expect(two).toEqual(one);
    expect(one.parsed).toBe(1);
    expect(one.findings.map((f) => [f.path, f.detector, f.line, f.column])).toEqual([['src/db.ts', 'ast', 2, 12]]);
  });

  it('rejects a bad --threads value', () => {
    for (const bad of ['0', 'two', '1.5', '999']) {
      const r = leakfix(['scan', '.', '--threads', bad], { cwd: tempTree() });
      expect(r).toEqual({ code: 2, stdout: '', stderr: `leakfix: error: --threads must be a whole number from 1 to 256, got "${bad}"\n` });
    }
  });
});

describe('quiet and stdin', () => {
  it('-q prints nothing on a clean tree and no notes or summary with findings', () => {
    const dir = tempTree({ 'a.txt': 'ok\n', 'big.txt': 'x'.repeat(2000) });
    expect(leakfix(['scan', '.', '-q', '--max-file-size', '1k'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
    const noisy = leakfix(['scan', '.', '--max-file-size', '1k'], { cwd: dir });
    expect(noisy.stdout).toContain('note: skipped big.txt: larger than --max-file-size (2000 > 1024 bytes)');
    const r = leakfix(['scan', '.', '-q'], { cwd: basicTree() });
    expect(r.stdout).not.toContain('note:');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('2 secrets found in 2 file(s).');
  });

  it('stdin "-" with --stdin-name reports the given path', () => {
    const r = leakfix(['scan', '-', '--stdin-name', 'ci/env.sh', '-f', 'json'], { cwd: tempTree(), input: `#!/bin/sh\nexport GH=${gh}\n` });
    expect(r.code).toBe(1);
    const [f] = json(r.stdout).findings;
    expect(f).toMatchObject({ path: 'ci/env.sh', line: 2, column: 11, endColumn: 51, source: 'stdin', ruleId: 'github.pat-classic' });
  });

  it('stdin without --stdin-name is reported as "stdin"', () => {
    const r = leakfix(['scan', '-', '-f', 'github'], { cwd: tempTree(), input: `${stripe}\n` });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=stdin,line=1,col=1,endLine=1,endColumn=41,/);
  });
});

describe('--config', () => {
  const widget = `wdg_${fakeString(31, 24)}`;
  const allowedValue = fakeStripeKey(32);
  const allowedByRegex = `sk_live_Allowed${fakeString(33, 25)}`;
  const stopworded = `sk_live_FixtureKey${fakeString(34, 22)}`;
  const config = `rules:
  disable: [generic.password]
  override:
    github.pat-classic: { severity: low }
  custom:
    - id: custom.widget-key
      name: Widget key
      severity: medium
      keywords: [wdg_]
      pattern: '\\b(?<secret>wdg_[A-Za-z0-9]{24})\\b'
      remediation: Rotate the widget key.
allow:
  paths: ['vendor/**']
  values: ['${allowedValue}']
  regexes: ['^sk_live_Allowed']
  stopwords: [fixturekey]
`;
  const files = {
    'app.env': `GH=${gh}\nDB_PASSWORD=Summer2024!\nWIDGET=${widget}\nA=${allowedValue}\nB=${allowedByRegex}\nC=${stopworded}\nD=${stripe}\n`,
    'vendor/lib.env': `GH=${gh}\n`,
  };

  it('disable, override, custom rule, allowed paths, values, regexes and stopwords', () => {
    const dir = tempTree({ ...files, 'conf/leakfix.yaml': config });
    const r = leakfix(['scan', '.', '--config', 'conf/leakfix.yaml', '-f', 'json', '--exclude', 'conf/**'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(json(r.stdout).findings.map((f) => [f.path, f.line, f.ruleId, f.severity])).toEqual([
      ['app.env', 1, 'github.pat-classic', 'low'],
      ['app.env', 3, 'custom.widget-key', 'medium'],
      ['app.env', 7, 'stripe.secret-key', 'critical'],
    ]);
  });

  it('.leakfix.yaml in the scanned directory is picked up without --config', () => {
    const dir = tempTree({ ...files, '.leakfix.yaml': config });
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(json(r.stdout).findings.map((f) => f.ruleId)).toEqual(['github.pat-classic', 'custom.widget-key', 'stripe.secret-key']);
    const without = leakfix(['scan', '.', '-f', 'json', '--config', join(tempTree({ 'empty.yaml': '' }), 'empty.yaml')], { cwd: dir });
    expect(json(without.stdout).findings.length).toBe(8);
  });
});
