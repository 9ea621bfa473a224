// kill -9 in the middle of a burst of writes: after a restart every acknowledged write must be
// readable with the right labels, and the store must open.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLocal, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/child-server.mjs', import.meta.url));

async function spawnStore(dir: string): Promise<{ child: ChildProcess; sm: SecretsManagerClient }> {
  const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`child store exited with ${code}: ${err}`)));
  });
  const info = JSON.parse(line);
  const sm = new SecretsManagerClient({ endpoint: info.url, region: info.region, credentials: info.credentials, maxAttempts: 1 });
  return { child, sm };
}

const killed = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill('SIGKILL');
});

describe.skipIf(!isLocal)('crash safety', () => {
  it('loses no acknowledged write when killed with SIGKILL mid-burst', async () => {
    const dir = await tempDir();
    const acked = new Map<string, { secret: string; value: string }>(); // versionId -> what was written
    const ackedCreates: string[] = [];

    for (let round = 0; round < 3; round++) {
      const { child, sm } = await spawnStore(dir);
      if (round === 0) {
        for (const s of ['crash/a', 'crash/b']) await sm.send(new CreateSecretCommand({ Name: s, SecretString: 'init' }));
      }
      let stop = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const secret = w % 2 ? 'crash/a' : 'crash/b';
          const value = `r${round}-w${w}-i${i}`;
          try {
            if (i % 10 === 9) {
              const name = `crash/new-${round}-${w}-${i}`;
              await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
              ackedCreates.push(name);
            } else {
              const r = await sm.send(new PutSecretValueCommand({ SecretId: secret, SecretString: value }));
              acked.set(r.VersionId!, { secret, value });
            }
          } catch {
            return; // the server died under us: this write was never acknowledged
          }
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      await new Promise((r) => setTimeout(r, 150 + round * 100));
      await killed(child); // while the workers are still sending
      stop = true;
      await Promise.all(workers);
      sm.destroy();
    }
    expect(acked.size).toBeGreaterThan(20);

    const { child, sm } = await spawnStore(dir);
    try {
      for (const [versionId, { secret, value }] of acked) {
        const got = await sm.send(new GetSecretValueCommand({ SecretId: secret, VersionId: versionId }));
        expect(got.SecretString).toBe(value);
      }
      for (const name of ackedCreates) {
        const got = await sm.send(new GetSecretValueCommand({ SecretId: name }));
        expect(got.VersionStages).toEqual(['AWSCURRENT']);
      }
      // Labels: AWSCURRENT is on the newest version, AWSPREVIOUS on the one before, nothing else labeled.
      for (const secret of ['crash/a', 'crash/b']) {
        const versions: { VersionId?: string; CreatedDate?: Date; VersionStages?: string[] }[] = [];
        let NextToken: string | undefined;
        do {
          const r = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secret, IncludeDeprecated: true, NextToken }));
          versions.push(...r.Versions!);
          NextToken = r.NextToken;
        } while (NextToken);
        const stages = (await sm.send(new DescribeSecretCommand({ SecretId: secret }))).VersionIdsToStages!;
        const labeled = Object.entries(stages);
        expect(labeled).toHaveLength(2);
        const current = labeled.find(([, l]) => l.includes('AWSCURRENT'))![0];
        const currentVersion = versions.find((v) => v.VersionId === current)!;
        expect(versions.every((v) => v.CreatedDate!.getTime() <= currentVersion.CreatedDate!.getTime())).toBe(true);
        const value = (await sm.send(new GetSecretValueCommand({ SecretId: secret }))).SecretString!;
        if (acked.has(current)) expect(value).toBe(acked.get(current)!.value);
        else expect(value).toMatch(/^r\d-w\d-i\d+$/); // committed, but the reply was lost in the kill
      }
    } finally {
      sm.destroy();
      await killed(child);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
