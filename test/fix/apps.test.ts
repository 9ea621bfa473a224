// Acceptance: each fixture app passes its own test, `leakfix fix` moves its credentials into the
// local store (over the real SDK), and the app passes the same test with the same output when
// run through `leakfix run --`; TypeScript still type-checks; a re-scan finds no moved secret.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { cli, makeApp, run, withStore, NODE_MODULES, TSC, TYPE_ROOTS, type App } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

function lines(app: App, path: string): string[] {
  return readFileSync(join(app.dir, path), 'utf8').split('\n');
}

/** The moved values are nowhere in a fresh scan of the fixed tree. */
function expectScanClean(app: App, moved: string[]): void {
  const scan = cli(app, ['scan', '.', '--format', 'json', '--show-secrets']);
  expect(scan.code, scan.stderr).toBeLessThan(2);
  const found = (JSON.parse(scan.stdout) as { findings: { secret: string }[] }).findings.map((f) => f.secret);
  for (const v of moved) expect(found).not.toContain(v);
  for (const v of moved) expect(scan.stdout).not.toContain(v);
}

async function tagsOf(app: App, name: string): Promise<Record<string, string>> {
  return withStore(app, async (client) => {
    const d = await client.send(new DescribeSecretCommand({ SecretId: name }));
    return Object.fromEntries((d.Tags ?? []).map((t) => [t.Key!, t.Value!]));
  });
}

describe('fixture apps', () => {
  it('express + pg: pool config grouped into one JSON secret, session secret alone', async () => {
    const app = makeApp('express-pg');
    const before = run(process.execPath, ['test.js'], app.dir);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain('express-pg: ok');

    const fix = cli(app, ['fix', '--store', 'local']);
    expect(fix.code, fix.stderr + fix.stdout).toBe(0);
    expect(fix.stdout).toContain('leakfix/express-pg/POOL_CONFIG: created');
    expect(fix.stdout).toContain('leakfix/express-pg/SESSION_SECRET: created');
    expect(fix.stdout).not.toContain(app.values.PG_PASSWORD);
    expect(fix.stdout).not.toContain(app.values.SESSION_SECRET);

    const db = lines(app, 'src/db.js');
    expect(db.slice(2, 8)).toEqual([
      '  host: process.env.POOL_CONFIG_HOST,',
      '  port: 5432,',
      '  user: process.env.POOL_CONFIG_USER,',
      '  password: process.env.POOL_CONFIG_PASSWORD,',
      '  database: process.env.POOL_CONFIG_DATABASE,',
      '  max: 10,',
    ]);
    expect(lines(app, 'src/app.js')[3]).toBe('const SESSION_SECRET = process.env.SESSION_SECRET;');
    expect(JSON.parse(readFileSync(join(app.dir, '.leakfix/secrets.json'), 'utf8')).env).toEqual({
      POOL_CONFIG_DATABASE: { secretId: 'leakfix/express-pg/POOL_CONFIG', key: 'database' },
      POOL_CONFIG_HOST: { secretId: 'leakfix/express-pg/POOL_CONFIG', key: 'host' },
      POOL_CONFIG_PASSWORD: { secretId: 'leakfix/express-pg/POOL_CONFIG', key: 'password' },
      POOL_CONFIG_USER: { secretId: 'leakfix/express-pg/POOL_CONFIG', key: 'user' },
      SESSION_SECRET: { secretId: 'leakfix/express-pg/SESSION_SECRET' },
    });

    // Without its secrets the app no longer works; through `leakfix run` it works exactly as before.
    expect(run(process.execPath, ['test.js'], app.dir).code).not.toBe(0);
    const after = cli(app, ['run', '--', process.execPath, 'test.js']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);

    await withStore(app, async (client) => {
      const pool = await client.send(new GetSecretValueCommand({ SecretId: 'leakfix/express-pg/POOL_CONFIG' }));
      expect(JSON.parse(pool.SecretString!)).toEqual({ host: 'orders-db.internal', user: 'orders_app', password: app.values.PG_PASSWORD, database: 'orders' });
      expect(pool.VersionStages).toEqual(['AWSCURRENT']);
    });
    const tags = await tagsOf(app, 'leakfix/express-pg/POOL_CONFIG');
    expect(tags).toMatchObject({ 'managed-by': 'leakfix', exposed: 'true', 'found-in': 'express-pg: src/db.js:6' });
    expect(fix.stdout).toMatch(/ROTATE POOL_CONFIG_PASSWORD \(ast\.db-password, Fk-.…...!\) in leakfix\/express-pg\/POOL_CONFIG key password: in git history, commits [0-9a-f]{12}\n/);
    expectScanClean(app, [app.values.PG_PASSWORD, app.values.SESSION_SECRET]);
  });

  it('TypeScript + jsonwebtoken + AWS SDK: still type-checks, same results', async () => {
    const app = makeApp('ts-jwt-aws');
    const out1 = tempDir('tsout');
    // --baseUrl resolves the imports (jsonwebtoken, the AWS SDK) from the repo's node_modules.
    const build = (outDir: string) => run(process.execPath, [TSC, '-p', 'tsconfig.json', '--outDir', outDir, '--typeRoots', TYPE_ROOTS, '--baseUrl', NODE_MODULES], app.dir);
    const b1 = build(out1);
    expect(b1.code, b1.stdout).toBe(0);
    const before = run(process.execPath, [join(out1, 'test.js')], app.dir);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain('ts-jwt-aws: ok');

    const fix = cli(app, ['fix', '--store', 'local']);
    expect(fix.code, fix.stderr + fix.stdout).toBe(0);
    const config = lines(app, 'src/config.ts');
    expect(config[6]).toBe('export const JWT_SECRET = process.env.JWT_SECRET!;');
    expect(config.slice(11, 13)).toEqual(['    accessKeyId: process.env.AWS_CONFIG_CREDENTIALS_ACCESS_KEY_ID!,', '    secretAccessKey: process.env.AWS_CONFIG_CREDENTIALS_SECRET_ACCESS_KEY!,']);
    expect(fix.stdout).toContain('leakfix/ts-jwt-aws/AWS_CONFIG_CREDENTIALS: created');

    const out2 = tempDir('tsout');
    const b2 = build(out2);
    expect(b2.code, b2.stdout).toBe(0); // strict type-check of the rewritten code
    const after = cli(app, ['run', '--', process.execPath, join(out2, 'test.js')]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);

    await withStore(app, async (client) => {
      const creds = await client.send(new GetSecretValueCommand({ SecretId: 'leakfix/ts-jwt-aws/AWS_CONFIG_CREDENTIALS' }));
      expect(JSON.parse(creds.SecretString!)).toEqual({ accessKeyId: app.values.AWS_ACCESS_KEY_ID, secretAccessKey: app.values.AWS_SECRET_ACCESS_KEY });
      const jwt = await client.send(new GetSecretValueCommand({ SecretId: 'leakfix/ts-jwt-aws/JWT_SECRET' }));
      expect(jwt.SecretString).toBe(app.values.JWT_SECRET);
    });
    expectScanClean(app, [app.values.JWT_SECRET, app.values.AWS_ACCESS_KEY_ID, app.values.AWS_SECRET_ACCESS_KEY]);
  });

  it('.env-driven app: one JSON secret for the file, lines commented with the secret name', async () => {
    const app = makeApp('dotenv-app');
    const before = run(process.execPath, ['test.js'], app.dir);
    expect(before.code, before.stderr).toBe(0);

    const fix = cli(app, ['fix', '--store', 'local']);
    expect(fix.code, fix.stderr + fix.stdout).toBe(0);
    expect(readFileSync(join(app.dir, '.env'), 'utf8')).toBe(
      [
        '# Local settings for the mailer service',
        'PORT=8080',
        'LOG_LEVEL=info',
        '# STRIPE_API_KEY moved to AWS Secrets Manager: leakfix/dotenv-app/DOTENV (JSON key STRIPE_API_KEY); run with: leakfix run -- <command>',
        '# MAILER_PASSWORD moved to AWS Secrets Manager: leakfix/dotenv-app/DOTENV (JSON key MAILER_PASSWORD); run with: leakfix run -- <command>',
        '# WEBHOOK_SIGNING_SECRET moved to AWS Secrets Manager: leakfix/dotenv-app/DOTENV (JSON key WEBHOOK_SIGNING_SECRET); run with: leakfix run -- <command>',
        '',
      ].join('\n'),
    );
    expect(run(process.execPath, ['test.js'], app.dir).code).not.toBe(0);
    const after = cli(app, ['run', '--', process.execPath, 'test.js']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);

    await withStore(app, async (client) => {
      const r = await client.send(new GetSecretValueCommand({ SecretId: 'leakfix/dotenv-app/DOTENV' }));
      expect(JSON.parse(r.SecretString!)).toEqual({ STRIPE_API_KEY: app.values.STRIPE_API_KEY, MAILER_PASSWORD: app.values.MAILER_PASSWORD, WEBHOOK_SIGNING_SECRET: app.values.WEBHOOK_SIGNING_SECRET });
    });
    expect((await tagsOf(app, 'leakfix/dotenv-app/DOTENV'))['found-in']).toBe('dotenv-app: .env:4_ .env:5_ .env:6');
    expectScanClean(app, [app.values.STRIPE_API_KEY, app.values.MAILER_PASSWORD, app.values.WEBHOOK_SIGNING_SECRET]);
  });
});
