// The AST stage on fixtures/ast-project through the real engine, and through the real CLI:
// it finds the low-entropy passwords and indirect flows pattern+generic miss, and nothing more.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, detectChunk } from '../../src/detect/engine.js';
import { loadRules } from '../../src/rules/load.js';
import { listFiles } from '../../src/sources/files.js';
import { ROOT, leakfix } from '../helpers/cli.js';
import type { Finding } from '../../src/types.js';

const PROJECT = join(ROOT, 'fixtures/ast-project');
const rules = loadRules();

function scanProject(ast: boolean): Finding[] {
  const engine = createEngine(rules, { ast });
  return listFiles(PROJECT, { noIgnore: true, include: [], exclude: [] }).flatMap((f) =>
    // Paths relative to the project root, as a scan of that root reports them.
    detectChunk(engine, { path: relative(PROJECT, f.abs), bytes: readFileSync(f.abs), origin: { kind: 'file' } }),
  );
}

const row = (f: Finding) => [f.path, f.line, f.column, f.endColumn, f.ruleId, f.secret, f.confidence, f.flow?.map((s) => s.name).join(' > ')];

describe('fixtures/ast-project', () => {
  const withAst = scanProject(true);
  const without = scanProject(false);

  it('without the AST stage, pattern+generic see only the test assertion literal', () => {
    expect(without.map(row)).toEqual([['test/login.test.js', 9, 54, 65, 'generic.password', 'Winter2023?', 'medium', undefined]]);
  });

  it('with it, finds every planted password and flow with exact spans', () => {
    const ast = withAst.filter((f) => f.detector === 'ast').sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(ast.map(row)).toEqual([
      ['src/auth/jwt.ts', 3, 17, 51, 'ast.jwt-secret', 'my-app-signing', 'high', 'join > SIGNING > jsonwebtoken'],
      ['src/auth/mailer.mjs', 5, 35, 46, 'ast.smtp-password', 'Spring2022$', 'high', 'literal > pass > auth > nodemailer'],
      ['src/db/config.js', 2, 48, 66, 'ast.hardcoded-password', 'Winter2023?', 'medium', 'concatenation > pw > db > settings > settings.db.pw > password'],
      ['src/db/mysql.js', 7, 27, 38, 'ast.db-password', 'Autumn1999#', 'high', 'literal > connect() > pw > password > mysql'],
      ['src/db/pool.ts', 4, 15, 26, 'ast.db-password', 'Summer2024!', 'high', 'literal > pgPw > password > pg'],
      ['src/web/Settings.vue', 6, 18, 29, 'ast.hardcoded-password', 'Hunter2000!', 'medium', 'literal > adminPw > password'],
      ['test/login.test.js', 3, 17, 28, 'ast.hardcoded-password', 'Summer2024!', 'low', 'literal > testPw > password'],
    ]);
    // A composite source is reported whole (the fix replaces the expression); a plain literal's span is its content.
    const jwt = ast.find((f) => f.path === 'src/auth/jwt.ts')!;
    expect(readFileSync(join(PROJECT, jwt.path), 'utf8').slice(jwt.range[0], jwt.range[1])).toBe("['my', 'app', 'signing'].join('-')");
    // The span of a plain literal is its content, so a fix can replace exactly it.
    const pool = ast.find((f) => f.path === 'src/db/pool.ts')!;
    expect(readFileSync(join(PROJECT, pool.path), 'utf8').slice(pool.range[0], pool.range[1])).toBe('Summer2024!');
    expect(pool.flow).toEqual([
      { line: 4, column: 14, name: 'literal' },
      { line: 4, column: 7, name: 'pgPw', note: 'const' },
      { line: 6, column: 67, name: 'password', note: 'property' },
      { line: 6, column: 21, name: 'pg', note: 'node-postgres client' },
    ]);
  });

  it('adds nothing on the negatives: env/config/secret-store reads, params, form state, labels, assertions', () => {
    const extra = withAst.filter((f) => !without.some((w) => w.fingerprint === f.fingerprint) && f.detector !== 'ast');
    expect(extra).toEqual([]);
    for (const path of ['src/negatives.ts', 'src/web/LoginForm.tsx', 'src/locales/en.js']) expect(withAst.filter((f) => f.path === path)).toEqual([]);
    expect(withAst.filter((f) => f.path === 'test/login.test.js' && f.detector === 'ast').map((f) => f.line)).toEqual([3]);
  });

  it('the CLI prints the flow in the text report and a codeFlow in SARIF', () => {
    const text = leakfix(['scan', '.', '--no-ignore', '--format', 'text', '--threads', '1'], { cwd: PROJECT });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('src/db/pool.ts\n  4:15     high     Hard-coded database password passed to a database client [ast.db-password]  Su…!');
    expect(text.stdout).toContain('flow: literal@4:14 → pgPw@4:7 → password@6:67 → pg@6:21');
    expect(text.stdout).not.toContain('Summer2024!');
    const sarif = JSON.parse(leakfix(['scan', '.', '--no-ignore', '--format', 'sarif'], { cwd: PROJECT }).stdout);
    const result = sarif.runs[0].results.find((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.ruleId === 'ast.db-password' && r.locations[0].physicalLocation.artifactLocation.uri === 'src/db/pool.ts');
    expect(result.locations[0].physicalLocation.region).toMatchObject({ startLine: 4, startColumn: 15, endLine: 4, endColumn: 26 });
    expect(result.codeFlows[0].threadFlows[0].locations.map((l: { location: { message: { text: string }; physicalLocation: { region: object } } }) => [l.location.message.text, l.location.physicalLocation.region])).toEqual([
      ['literal', { startLine: 4, startColumn: 14 }],
      ['pgPw: const', { startLine: 4, startColumn: 7 }],
      ['password: property', { startLine: 6, startColumn: 67 }],
      ['pg: node-postgres client', { startLine: 6, startColumn: 21 }],
    ]);
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'ast.db-password');
    expect(rule.shortDescription.text).toBe('Hard-coded database password passed to a database client');
  });
});
