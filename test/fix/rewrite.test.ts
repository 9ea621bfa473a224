// Rewrites by language, exactly: Python (os.environ + import os), a password inside a URL
// (template literal), a JSX attribute, the SDK style (awaited helper where await is allowed,
// env elsewhere), files leakfix cannot rewrite (stored, listed), and one overlapping-edit rule.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { applyEdits } from '../../src/fix/edits.js';
import { requestToken, upperSnake } from '../../src/fix/names.js';
import { cli, git, run, treeHash, withStore, ROOT, type App } from './helpers.js';
import { fakeString } from '../helpers/tokens.js';
import { tempDir } from '../helpers/temp.js';

/** A temp git repo holding `files`, committed; named `name` (the secret names' repo part). */
function repo(name: string, files: Record<string, string>): App {
  const base = tempDir('rw');
  const dir = join(base, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  const env = { LEAKFIX_STORE_DIR: join(base, 'store'), HOME: base, XDG_STATE_HOME: join(base, 'state'), AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '', AWS_ENDPOINT_URL_SECRETS_MANAGER: '' };
  return { dir, base, storeDir: env.LEAKFIX_STORE_DIR, values: {}, env };
}

const read = (app: App, path: string) => readFileSync(join(app.dir, path), 'utf8');

describe('applyEdits', () => {
  it('applies edits in offset order and refuses overlaps and two inserts at one offset', () => {
    const text = 'const a = "x"; const b = "y";';
    expect(applyEdits(text, [
      { path: 'f.js', range: [25, 28], text: 'process.env.B' },
      { path: 'f.js', range: [10, 13], text: 'process.env.A' },
      { path: 'f.js', range: [0, 0], text: '// moved\n' },
    ])).toBe('// moved\nconst a = process.env.A; const b = process.env.B;');
    expect(() => applyEdits(text, [{ path: 'f.js', range: [10, 13], text: 'A' }, { path: 'f.js', range: [12, 14], text: 'B' }])).toThrow('overlapping edits in f.js at offsets [10, 13) and [12, 14)');
    expect(() => applyEdits(text, [{ path: 'f.js', range: [3, 3], text: 'A' }, { path: 'f.js', range: [3, 3], text: 'B' }])).toThrow('overlapping edits in f.js at offsets [3, 3) and [3, 3)');
    expect(() => applyEdits(text, [{ path: 'f.js', range: [20, 99], text: '' }])).toThrow('edit out of range in f.js: [20, 99) of 29');
  });

  it('names: upper snake case and a UUID-shaped token fixed by name and value', () => {
    expect(upperSnake('poolConfig', 'secretAccessKey')).toBe('POOL_CONFIG_SECRET_ACCESS_KEY');
    expect(upperSnake('db-config', 'API_KEY')).toBe('DB_CONFIG_API_KEY');
    const t = requestToken('leakfix/app/DB', 'v1');
    expect(t).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestToken('leakfix/app/DB', 'v1')).toBe(t);
    expect(requestToken('leakfix/app/DB', 'v2')).not.toBe(t);
  });
});

describe('rewrites', () => {
  it('Python, a URL password, a JSX attribute, and a YAML file left for the user', () => {
    const pw = `Zx81-${fakeString(21, 10)}`;
    const urlPw = `S3cr-${fakeString(22, 12)}`;
    const key = `FAKE${fakeString(23, 24)}`;
    const yamlPw = `Yq-${fakeString(24, 12)}`;
    const app = repo('svc', {
      'app.py': `#!/usr/bin/env python3\n"""Service settings."""\nfrom __future__ import annotations\nimport sys\n\nDB_PASSWORD = "${pw}"\n`,
      'src/db.js': `const url = 'postgres://app:${urlPw}@db.internal:5432/app';\nmodule.exports = { url };\n`,
      'src/widget.jsx': `export const W = () => <Widget apiKey="${key}" />;\n`,
      'config.yaml': `db:\n  password: ${yamlPw}\n`,
    });
    const r = cli(app, ['fix', '--store', 'local']);
    expect(r.code, r.stderr).toBe(1); // one place is left for the user
    expect(read(app, 'app.py')).toBe('#!/usr/bin/env python3\n"""Service settings."""\nfrom __future__ import annotations\nimport os\nimport sys\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n');
    expect(read(app, 'src/db.js')).toBe('const url = `postgres://app:${process.env.URL_PASSWORD}@db.internal:5432/app`;\nmodule.exports = { url };\n');
    expect(read(app, 'src/widget.jsx')).toBe('export const W = () => <Widget apiKey={process.env.API_KEY} />;\n');
    expect(read(app, 'config.yaml')).toBe(`db:\n  password: ${yamlPw}\n`);
    expect(r.stdout).toContain('Move by hand (already stored; leakfix cannot rewrite these):\n  config.yaml:2:13 generic.password ');
    expect(r.stdout).toContain(': leakfix rewrites JS/TS, Python and .env files only → read PASSWORD (leakfix/svc/PASSWORD)\n');
    expect(r.stdout).not.toContain(yamlPw);
    const env = run(process.execPath, [join(ROOT, 'bin/leakfix.js'), 'run', '--', process.execPath, '-p', 'JSON.stringify([process.env.DB_PASSWORD, process.env.URL_PASSWORD, process.env.API_KEY, process.env.PASSWORD])'], app.dir, app.env);
    expect(env.code, env.stderr).toBe(0);
    expect(JSON.parse(env.stdout)).toEqual([pw, urlPw, key, yamlPw]);
  });

  it('files that cannot be written back byte-exactly (Latin-1, symlinks) are left for the user', () => {
    const pw = `Lat-${fakeString(51, 12)}`;
    const app = repo('latin', { 'src/real.js': `const dbPassword = '${pw}';\n` });
    writeFileSync(join(app.dir, 'src/old.js'), Buffer.concat([Buffer.from(`// caf`), Buffer.from([0xe9]), Buffer.from(`\nconst dbPassword = '${pw}x';\n`)]));
    symlinkSync('real.js', join(app.dir, 'src/link.js'));
    git(app.dir, 'add', '-A');
    git(app.dir, 'commit', '-qm', 'more');
    const hash = treeHash(app.dir);
    const r = cli(app, ['fix', '--store', 'local']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\n {2}src\/link\.js:1:21 generic\.password [^ ]+: a symbolic link → read DB_PASSWORD \(leakfix\/latin\/DB_PASSWORD\)\n/);
    expect(r.stdout).toMatch(/\n {2}src\/old\.js:2:21 generic\.password [^ ]+: not UTF-8 text → read DB_PASSWORD_2 \(leakfix\/latin\/DB_PASSWORD_2\)\n/);
    expect(read(app, 'src/real.js')).toBe('const dbPassword = process.env.DB_PASSWORD;\n');
    expect(treeHash(app.dir)).not.toBe(hash);
  });

  it('a moved value left elsewhere in the same file fails verification and restores every file', () => {
    const pw = `Fk-${fakeString(31, 14)}!`;
    const app = repo('verify', {
      'src/a.js': `const SESSION_SECRET = '${fakeString(32, 28)}';\nmodule.exports = { SESSION_SECRET };\n`,
      'src/b.js': `const dbPassword = '${pw}';\n/* old value, kept for reference: ${pw} */\nmodule.exports = { dbPassword };\n`,
    });
    const hash = treeHash(app.dir);
    const r = cli(app, ['fix', '--store', 'local']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('leakfix: error: verification failed: src/b.js still contains a moved secret; every file was restored (the secrets stay stored)\n');
    expect(treeHash(app.dir)).toBe(hash);
    expect(JSON.parse(readFileSync(join(app.dir, '.git/leakfix/fix-journal.json'), 'utf8')).state).toBe('rolled-back');
  });

  it('--style sdk: an awaited, cached GetSecretValue where await is allowed, process.env elsewhere', async () => {
    const token = `FAKE${fakeString(41, 28)}`;
    const secret = `FAKE${fakeString(42, 28)}`;
    const sync = `FAKE${fakeString(43, 28)}`;
    const app = repo('sdk-app', {
      'package.json': '{ "type": "module" }\n',
      '.gitignore': 'node_modules\n',
      'src/main.js': [
        "import { createHash } from 'node:crypto';",
        '',
        `const apiToken = '${token}';`,
        'export async function make() {',
        `  const client = { secret: '${secret}' };`,
        '  return client;',
        '}',
        'export function now() {',
        `  return { authToken: '${sync}' };`,
        '}',
        'const d = (s) => createHash("sha256").update(s).digest("hex").slice(0, 12);',
        'console.log(d(apiToken), d((await make()).secret), d(now().authToken));',
        '',
      ].join('\n'),
    });
    symlinkSync(join(ROOT, 'node_modules'), join(app.dir, 'node_modules'));
    const before = run(process.execPath, ['src/main.js'], app.dir);
    expect(before.code, before.stderr).toBe(0);

    const r = cli(app, ['fix', '--store', 'local', '--style', 'sdk']);
    expect(r.code, r.stderr).toBe(0);
    expect(read(app, 'src/main.js').split('\n').slice(0, 10)).toEqual([
      "import { createHash } from 'node:crypto';",
      'import { getSecret } from "./leakfix-secrets.mjs";',
      '',
      'const apiToken = (await getSecret("leakfix/sdk-app/API_TOKEN"));',
      'export async function make() {',
      '  const client = { secret: (await getSecret("leakfix/sdk-app/CLIENT_SECRET")) };',
      '  return client;',
      '}',
      'export function now() {',
      '  return { authToken: process.env.AUTH_TOKEN };',
    ]);
    expect(read(app, 'src/leakfix-secrets.mjs')).toContain("import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';");
    expect(JSON.parse(read(app, '.leakfix/secrets.json')).sdk).toBe(true);

    // The helper reads the store through the real SDK; `leakfix run` points it at the local store.
    const after = cli(app, ['run', '--', process.execPath, 'src/main.js']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    await withStore(app, async (c) => {
      expect((await c.send(new GetSecretValueCommand({ SecretId: 'leakfix/sdk-app/API_TOKEN' }))).SecretString).toBe(token);
    });
  });
});
