// Shared set-up for the fix suite: fixture apps copied into temp git repos with generated fake
// credentials, the real CLI as a child process, and the local store opened over the real SDK.
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { leakfix, ROOT, type CliResult } from '../helpers/cli.js';
import { fakeAwsKeyId, fakeString } from '../helpers/tokens.js';
import { startStore } from '../../src/store/server.js';
import { tempDir } from '../helpers/temp.js';

export { ROOT };

/** The fixture apps run from temp copies and resolve their libraries (express, pg, …) here. */
export const NODE_MODULES = join(ROOT, 'node_modules');

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Generated, obviously fake values for the fixtures' <NAME> placeholders. */
export function fakeValues(seed = 0): Record<string, string> {
  return {
    PG_PASSWORD: `Fk-${fakeString(seed + 11, 14)}!`,
    SESSION_SECRET: `FAKE${fakeString(seed + 12, 28)}`,
    JWT_SECRET: `FAKE${fakeString(seed + 13, 36)}`,
    AWS_ACCESS_KEY_ID: fakeAwsKeyId(seed + 14),
    AWS_SECRET_ACCESS_KEY: `FAKE${fakeString(seed + 15, 36, B64)}`,
    STRIPE_API_KEY: `rk_FAKE_${fakeString(seed + 16, 24)}`,
    MAILER_PASSWORD: `Mailer-${fakeString(seed + 17, 10)}#7`,
    WEBHOOK_SIGNING_SECRET: `whsec_FAKE${fakeString(seed + 18, 28)}`,
  };
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
}

export function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Fills <NAME> placeholders in every file under dir. */
export function fillPlaceholders(dir: string, values: Record<string, string>): void {
  for (const f of filesOf(dir)) {
    const p = join(dir, f);
    const text = readFileSync(p, 'utf8');
    const filled = text.replace(/<([A-Z][A-Z0-9_]+)>/g, (m, name: string) => values[name] ?? m);
    if (filled !== text) writeFileSync(p, filled);
  }
}

export interface App {
  dir: string;
  /** Temp root holding the app, its store data and a HOME without AWS configuration. */
  base: string;
  storeDir: string;
  values: Record<string, string>;
  env: Record<string, string>;
}

/** A fixture app in a fresh git repo named after it, placeholders filled, everything committed. */
export function makeApp(name: string, seed = 0): App {
  const base = tempDir('fix');
  const dir = join(base, name);
  cpSync(join(ROOT, 'fixtures', 'apps', name), dir, { recursive: true });
  const values = fakeValues(seed);
  fillPlaceholders(dir, values);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  const storeDir = join(base, 'store');
  const env = { NODE_PATH: NODE_MODULES, LEAKFIX_STORE_DIR: storeDir, HOME: base, XDG_STATE_HOME: join(base, 'state'), AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '', AWS_ENDPOINT_URL_SECRETS_MANAGER: '' };
  return { dir, base, storeDir, values, env };
}

export function cli(app: App, args: string[], extraEnv: Record<string, string> = {}): CliResult {
  return leakfix(args, { cwd: app.dir, env: { ...app.env, ...extraEnv } });
}

/** sha256 over every path and content under dir (not .git): "did anything change?". */
export function treeHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of filesOf(dir)) {
    h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
    h.update(String(statSync(join(dir, f)).mode)).update('\0');
  }
  return h.digest('hex');
}

/** Runs a command; NODE_PATH lets the apps' CommonJS `require('express')` etc. find the repo's node_modules. */
export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_PATH: NODE_MODULES, ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Opens the app's store in-process (the CLI must not be running) and hands a real SDK client. */
export async function withStore<T>(app: App, fn: (client: SecretsManagerClient) => Promise<T>): Promise<T> {
  const store = await startStore({ port: 0, dataDir: app.storeDir });
  const client = new SecretsManagerClient({ endpoint: store.url, region: store.region, credentials: store.credentials, maxAttempts: 1 });
  try {
    return await fn(client);
  } finally {
    client.destroy();
    await store.close();
  }
}

export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
export const TYPE_ROOTS = join(ROOT, 'node_modules', '@types');
