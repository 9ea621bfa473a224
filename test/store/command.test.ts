// `leakfix store serve|credentials` through storeCommand, and the default data dir.
import { GetRandomPasswordCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeCommand, stopServe } from '../../src/store/command.js';
import { defaultDataDir } from '../../src/store/paths.js';
import { isLocal, tempDir } from './helpers.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env } };
}

describe('defaultDataDir', () => {
  it('honours LEAKFIX_STORE_DIR, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(defaultDataDir({ LEAKFIX_STORE_DIR: '/srv/leakfix', XDG_DATA_HOME: '/x', HOME: '/home/u' })).toBe('/srv/leakfix');
    expect(defaultDataDir({ XDG_DATA_HOME: '/x', HOME: '/home/u' })).toBe('/x/leakfix/store');
    expect(defaultDataDir({ HOME: '/home/u' })).toBe('/home/u/.local/share/leakfix/store');
  });
});

describe.skipIf(!isLocal)('leakfix store command', () => {
  it('serve listens, answers signed requests with the shown credentials, and stops cleanly', async () => {
    const dir = await tempDir();
    const c = io();
    const serving = storeCommand(['serve', '--port', '0', '--data', dir], c.io);
    for (let i = 0; i < 100 && !c.out.join('').includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (\S+)/.exec(c.out.join(''))![1];

    const creds = io();
    expect(await storeCommand(['credentials', '--data', dir, '--json'], creds.io)).toBe(0);
    const { accessKeyId, secretAccessKey } = JSON.parse(creds.out.join(''));
    const sm = new SecretsManagerClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
    expect((await sm.send(new GetRandomPasswordCommand({ PasswordLength: 12 }))).RandomPassword).toHaveLength(12);
    sm.destroy();

    const text = io();
    expect(await storeCommand(['credentials', '--data', dir], text.io)).toBe(0);
    expect(text.out.join('')).toContain(`AWS_ACCESS_KEY_ID=${accessKeyId}`);

    await stopServe();
    expect(await serving).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('uses LEAKFIX_STORE_DIR from the environment when --data is absent', async () => {
    const dir = await tempDir();
    const c = io({ LEAKFIX_STORE_DIR: join(dir, 'nested') });
    expect(await storeCommand(['credentials', '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out.join('')).dataDir).toBe(join(dir, 'nested'));
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with exit code 2 and a one-line reason on bad input', async () => {
    for (const argv of [['serve', '--port', 'eighty'], ['serve', '--bogus'], ['frobnicate'], [], ['serve', '--region', 'Mars']]) {
      const c = io();
      expect(await storeCommand(argv, c.io)).toBe(2);
      expect(c.err.join('')).toMatch(/^leakfix store: \S/);
    }
  });

  it('reports a port already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = String((blocker.address() as AddressInfo).port);
    const dir = await tempDir();
    const c = io();
    expect(await storeCommand(['serve', '--port', port, '--data', dir], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/^leakfix store: store could not listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    await new Promise((r) => blocker.close(r));
    // the failed start released the data dir
    const again = io();
    const serving = storeCommand(['serve', '--data', dir], again.io);
    for (let i = 0; i < 100 && !again.out.join('').includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
    await stopServe();
    expect(await serving).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
