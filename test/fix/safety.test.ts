// The safety properties: --dry-run changes nothing, re-running creates no new versions,
// --update-existing moves the labels, --undo restores bytes, a store that is down touches no
// file, a fix killed half-way is recovered by --undo or a re-run, dirty files are refused.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cli, git, makeApp, treeHash, withStore, type App } from './helpers.js';
import { requestToken } from '../../src/fix/names.js';

const POOL = 'leakfix/express-pg/POOL_CONFIG';
const SESSION = 'leakfix/express-pg/SESSION_SECRET';

async function versions(client: SecretsManagerClient, name: string): Promise<Record<string, string[]>> {
  const r = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  return Object.fromEntries((r.Versions ?? []).map((v) => [v.VersionId!, [...(v.VersionStages ?? [])].sort()]));
}

function poolValue(app: App, password = app.values.PG_PASSWORD): string {
  return JSON.stringify({ host: 'orders-db.internal', user: 'orders_app', password, database: 'orders' });
}

const journal = (app: App) => join(app.dir, '.git', 'leakfix', 'fix-journal.json');

describe('leakfix fix safety', () => {
  it('--dry-run prints names, rewrites and a redacted diff, and changes nothing', () => {
    const app = makeApp('express-pg');
    const hash = treeHash(app.dir);
    const r = cli(app, ['fix', '--dry-run', '--store', 'local']);
    expect(r.code, r.stderr).toBe(0);
    expect(treeHash(app.dir)).toBe(hash);
    expect(git(app.dir, 'status', '--porcelain')).toBe('');
    expect(existsSync(app.storeDir)).toBe(false);
    expect(existsSync(journal(app))).toBe(false);
    expect(r.stdout).toContain(`${POOL} (JSON)\n  key host ← POOL_CONFIG_HOST = orders-db.internal\n  key user ← POOL_CONFIG_USER = orders_app\n  key password ← POOL_CONFIG_PASSWORD = Fk-`);
    expect(r.stdout).toContain('  found in src/db.js:6\n');
    expect(r.stdout).toContain('Rewrites:\n  src/app.js:4 → SESSION_SECRET\n  src/db.js:3 → POOL_CONFIG_HOST\n  src/db.js:5 → POOL_CONFIG_USER\n  src/db.js:6 → POOL_CONFIG_PASSWORD\n  src/db.js:7 → POOL_CONFIG_DATABASE\n');
    const pw = app.values.PG_PASSWORD;
    const redacted = `${pw.slice(0, 4)}…${pw.slice(-4)}`;
    expect(r.stdout).toContain(
      [
        '--- a/src/db.js',
        '+++ b/src/db.js',
        '@@ -1,10 +1,10 @@',
        ' // The pg Pool configuration; a pg Pool does not connect until its first query.',
        ' const poolConfig = {',
        "-  host: 'orders-db.internal',",
        '+  host: process.env.POOL_CONFIG_HOST,',
        '   port: 5432,',
        "-  user: 'orders_app',",
        `-  password: '${redacted}',`,
        "-  database: 'orders',",
        '+  user: process.env.POOL_CONFIG_USER,',
        '+  password: process.env.POOL_CONFIG_PASSWORD,',
        '+  database: process.env.POOL_CONFIG_DATABASE,',
        '   max: 10,',
        ' };',
        ' ',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toContain('--- /dev/null\n+++ b/.leakfix/secrets.json\n@@ -0,0 +1,26 @@\n+{\n+  "version": 1,\n+  "store": "local",\n+  "region": "us-east-1",\n');
    expect(r.stdout).not.toContain(pw);
    expect(r.stdout).not.toContain(app.values.SESSION_SECRET);
  });

  it('is idempotent: fix, undo, fix again → the same versions (token from name + value)', async () => {
    const app = makeApp('express-pg');
    const initial = treeHash(app.dir);
    const first = cli(app, ['fix', '--store', 'local']);
    expect(first.code, first.stderr).toBe(0);
    const fixed = treeHash(app.dir);
    const v1 = await withStore(app, async (c) => ({ pool: await versions(c, POOL), session: await versions(c, SESSION) }));
    expect(v1.pool).toEqual({ [requestToken(POOL, poolValue(app))]: ['AWSCURRENT'] });
    expect(v1.session).toEqual({ [requestToken(SESSION, app.values.SESSION_SECRET)]: ['AWSCURRENT'] });

    const undo = cli(app, ['fix', '--undo']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('restored 3 file(s): src/app.js, src/db.js, .leakfix/secrets.json');
    expect(treeHash(app.dir)).toBe(initial);

    const second = cli(app, ['fix', '--store', 'local']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`${POOL}: already stored (version ${requestToken(POOL, poolValue(app))})`);
    expect(treeHash(app.dir)).toBe(fixed);
    const v2 = await withStore(app, async (c) => ({ pool: await versions(c, POOL), session: await versions(c, SESSION) }));
    expect(v2).toEqual(v1);

    // On the fixed tree there is nothing left to move.
    const third = cli(app, ['fix', '--store', 'local']);
    expect(third.code).toBe(0);
    expect(third.stdout).toBe('leakfix fix: no secrets found, nothing to do\n');
  });

  it('stops on a different existing value; --update-existing writes AWSCURRENT and keeps AWSPREVIOUS', async () => {
    const app = makeApp('express-pg');
    const first = cli(app, ['fix', '--store', 'local']);
    expect(first.code, first.stderr).toBe(0);
    const undo = cli(app, ['fix', '--undo']);
    expect(undo.code, undo.stderr).toBe(0);
    const db = join(app.dir, 'src/db.js');
    const newPassword = 'Fk-Rotated-Zq81Lw!';
    writeFileSync(db, readFileSync(db, 'utf8').replace(app.values.PG_PASSWORD, newPassword));
    git(app.dir, 'commit', '-qam', 'new password');
    const hash = treeHash(app.dir);

    const refused = cli(app, ['fix', '--store', 'local']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`leakfix: error: ${POOL} (keys password) already exist(s) in the local leakfix store (${app.storeDir}) with a different value; nothing was changed (use --update-existing to write a new version)`);
    expect(treeHash(app.dir)).toBe(hash);

    const updated = cli(app, ['fix', '--store', 'local', '--update-existing']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain(`${POOL}: new version (version ${requestToken(POOL, poolValue(app, newPassword))})`);
    await withStore(app, async (c) => {
      expect(await versions(c, POOL)).toEqual({
        [requestToken(POOL, poolValue(app))]: ['AWSPREVIOUS'],
        [requestToken(POOL, poolValue(app, newPassword))]: ['AWSCURRENT'],
      });
      const current = await c.send(new GetSecretValueCommand({ SecretId: POOL }));
      expect(JSON.parse(current.SecretString!).password).toBe(newPassword);
      const previous = await c.send(new GetSecretValueCommand({ SecretId: POOL, VersionStage: 'AWSPREVIOUS' }));
      expect(JSON.parse(previous.SecretString!).password).toBe(app.values.PG_PASSWORD);
    });
  });

  it('--undo restores exact bytes, refuses files edited since, and has nothing to do twice', () => {
    const app = makeApp('express-pg');
    const initial = treeHash(app.dir);
    expect(cli(app, ['fix', '--store', 'local']).code).toBe(0);
    const app_js = join(app.dir, 'src/app.js');
    const fixedText = readFileSync(app_js, 'utf8');
    writeFileSync(app_js, fixedText + '// edited\n');
    const refused = cli(app, ['fix', '--undo']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('leakfix: error: changed since the fix, not restoring anything: src/app.js\n');
    writeFileSync(app_js, fixedText);
    const undo = cli(app, ['fix', '--undo']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(treeHash(app.dir)).toBe(initial);
    expect(git(app.dir, 'status', '--porcelain')).toBe('');
    const again = cli(app, ['fix', '--undo']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('leakfix: error: nothing to undo: the last fix was already undone\n');
  });

  it('a store that is down: clear error, exit 2, no file touched, no journal', async () => {
    const app = makeApp('express-pg');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const hash = treeHash(app.dir);
    const r = cli(app, ['fix', '--store', 'aws'], {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-a-store-that-is-down',
      AWS_REGION: 'us-east-1',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`leakfix: error: cannot reach Secrets Manager at http://127.0.0.1:${port}: ECONNREFUSED\n`);
    expect(treeHash(app.dir)).toBe(hash);
    expect(existsSync(journal(app))).toBe(false);
  });

  it('killed after the first file is written: --undo restores the old tree', () => {
    const app = makeApp('express-pg');
    const initial = treeHash(app.dir);
    const crashed = cli(app, ['fix', '--store', 'local'], { LEAKFIX_TEST_CRASH_AFTER: 'write:1' });
    expect(crashed.code).toBe(-1); // no exit status: killed
    expect(treeHash(app.dir)).not.toBe(initial);
    expect(JSON.parse(readFileSync(journal(app), 'utf8')).state).toBe('writing');
    const undo = cli(app, ['fix', '--undo']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('restored 1 file(s): src/app.js');
    expect(treeHash(app.dir)).toBe(initial);
  });

  it('killed after any step: a re-run recovers and ends where a clean fix ends, with the same versions', async () => {
    const reference = makeApp('express-pg');
    expect(cli(reference, ['fix', '--store', 'local']).code).toBe(0);
    // Files are written in order src/app.js, src/db.js, .leakfix/secrets.json.
    const restored: Record<string, number> = { journal: 0, store: 0, 'write:1': 1, 'write:2': 2, 'write:3': 3, written: 3 };
    for (const step of ['journal', 'store', 'write:1', 'write:2', 'write:3', 'written', 'verified']) {
      const app = makeApp('express-pg');
      const crashed = cli(app, ['fix', '--store', 'local'], { LEAKFIX_TEST_CRASH_AFTER: step });
      expect(crashed.code, step).toBe(-1);
      const rerun = cli(app, ['fix', '--store', 'local']);
      expect(rerun.code, rerun.stderr).toBe(0);
      if (step === 'verified') expect(rerun.stdout).toBe('leakfix fix: no secrets found, nothing to do\n');
      else expect(rerun.stderr).toContain(`leakfix: recovered an interrupted fix: restored ${restored[step]} file(s)\n`);
      expect(treeHash(app.dir), step).toBe(treeHash(reference.dir));
      const v = await withStore(app, (c) => versions(c, POOL));
      expect(v).toEqual({ [requestToken(POOL, poolValue(app))]: ['AWSCURRENT'] });
    }
  });

  it('refuses files with uncommitted changes unless --allow-dirty', () => {
    const app = makeApp('express-pg');
    const db = join(app.dir, 'src/db.js');
    writeFileSync(db, readFileSync(db, 'utf8') + '// local change\n');
    const hash = treeHash(app.dir);
    const r = cli(app, ['fix', '--store', 'local']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('leakfix: error: uncommitted changes in src/db.js: commit or stash them first (or use --allow-dirty)\n');
    expect(treeHash(app.dir)).toBe(hash);
    const ok = cli(app, ['fix', '--store', 'local', '--allow-dirty']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(db, 'utf8')).toContain('  password: process.env.POOL_CONFIG_PASSWORD,\n');
    expect(readFileSync(db, 'utf8').endsWith('// local change\n')).toBe(true);
  });

  it('--prefix, --tag and --kms-key-id reach the store; bad flags are one-line errors', async () => {
    const app = makeApp('express-pg');
    const r = cli(app, ['fix', '--store', 'local', '--prefix', 'acme/prod', '--tag', 'team=payments', '--tag', 'ticket=SEC-42', '--kms-key-id', 'alias/leakfix-test']);
    expect(r.code, r.stderr).toBe(0);
    const d = await withStore(app, (c) => c.send(new DescribeSecretCommand({ SecretId: 'acme/prod/express-pg/POOL_CONFIG' })));
    expect(d.KmsKeyId).toBe('alias/leakfix-test');
    expect(Object.fromEntries((d.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      'managed-by': 'leakfix',
      'found-in': 'express-pg: src/db.js:6',
      exposed: 'true',
      team: 'payments',
      ticket: 'SEC-42',
    });
    const other = makeApp('express-pg');
    expect(cli(other, ['fix', '--tag', 'nokey']).stderr).toBe('leakfix: error: --tag "nokey": use --tag key=value\n');
    expect(cli(other, ['fix', '--style', 'magic']).stderr).toBe('leakfix: error: --style magic: use env or sdk\n');
    expect(cli(other, ['fix', '--store', 'local', '--replica-region', 'eu-west-1']).stderr).toBe('leakfix: error: --replica-region needs --store aws (the local store has one region)\n');
    expect(cli(other, ['fix', '--prefix', 'bad prefix!']).stderr).toBe('leakfix: error: --prefix "bad prefix!": use letters, digits and / _ + = . @ -\n');
  });

  it('--staged fixes only staged files and stages the result', () => {
    const app = makeApp('express-pg');
    const key = `FAKE${'Zq81Lw2Xr9Pm4Tn7Vb1Kc6Qa'}`;
    writeFileSync(join(app.dir, 'src/mail.js'), `const MAIL_API_KEY = '${key}';\nmodule.exports = { MAIL_API_KEY };\n`);
    git(app.dir, 'add', 'src/mail.js');
    const r = cli(app, ['fix', '--store', 'local', '--staged']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('leakfix/express-pg/MAIL_API_KEY: created');
    expect(r.stdout).not.toContain('POOL_CONFIG');
    expect(git(app.dir, 'show', ':src/mail.js')).toBe('const MAIL_API_KEY = process.env.MAIL_API_KEY;\nmodule.exports = { MAIL_API_KEY };\n');
    expect(git(app.dir, 'status', '--porcelain')).toBe('A  .leakfix/secrets.json\nA  src/mail.js\n');
    expect(readFileSync(join(app.dir, 'src/db.js'), 'utf8')).toContain(`  password: '${app.values.PG_PASSWORD}',`);
  });

  it('leakfix run passes the exit code and the signal through', () => {
    const app = makeApp('express-pg');
    expect(cli(app, ['fix', '--store', 'local']).code).toBe(0);
    const code = cli(app, ['run', '--', process.execPath, '-e', 'process.exit(process.env.SESSION_SECRET ? 7 : 3)']);
    expect(code.code, code.stderr).toBe(7);
    const sig = cli(app, ['run', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(sig.code).toBe(-1); // spawnSync reports status null: leakfix died of the same signal
    const missing = cli(app, ['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no command to run');
  });

  it('names the commits that brought each credential in, without putting a value on any git command line', () => {
    const app = makeApp('express-pg');
    const initial = git(app.dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(app.dir, 'NOTES.md'), 'unrelated\n');
    git(app.dir, 'add', 'NOTES.md');
    git(app.dir, 'commit', '-qm', 'notes');
    // A git that writes down every command line it is given, then runs the real one.
    const shim = mkdtempSync(join(tmpdir(), 'leakfix-git-argv-'));
    const argvLog = join(shim, 'argv.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(shim, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const r = cli(app, ['fix', '--dry-run', '--store', 'local'], { PATH: `${shim}:${process.env.PATH}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`ROTATE POOL_CONFIG_PASSWORD \\(.*\\) in ${POOL} key password: in git history, commits ${initial.slice(0, 12)}\n`));
    expect(r.stdout).toMatch(new RegExp(`ROTATE SESSION_SECRET \\(.*\\) in ${SESSION}: in git history, commits ${initial.slice(0, 12)}\n`));
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toMatch(/^(-c core\.quotePath=false )?log /m); // the history walk went through the shim
    for (const value of [app.values.PG_PASSWORD, app.values.SESSION_SECRET]) expect(argv).not.toContain(value);
  });
});
