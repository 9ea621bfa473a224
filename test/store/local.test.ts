// Behaviour only the embedded store can show: persistence across restarts, files and modes on
// disk, tamper detection, torn journal tails, time-based purging and pruning, concurrency.
import {
  CreateSecretCommand,
  DecryptionFailure,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { appendFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startStore } from '../../src/store/server.js';
import { client, isLocal, localTarget, rejects, tempDir } from './helpers.js';

const DAY = 86_400_000;

describe.skipIf(!isLocal)('local store', () => {
  it('keeps acknowledged writes across a restart, with labels', async () => {
    const dir = await tempDir();
    let t = await localTarget({}, dir);
    let sm = client(t);
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'db/password', SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: 'db/password', SecretString: 'two' }))).VersionId!;
    await sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: new Uint8Array([1, 2, 3]) }));
    sm.destroy();
    await t.close();

    t = await localTarget({}, dir);
    sm = client(t);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db/password' }))).SecretString).toBe('two');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/password' }));
    expect(d.VersionIdsToStages).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    expect([...(await sm.send(new GetSecretValueCommand({ SecretId: 'bin' }))).SecretBinary!]).toEqual([1, 2, 3]);
    sm.destroy();
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes credentials and master key with mode 0600 and never stores values in clear text', async () => {
    const t = await localTarget();
    const sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'plain-check', SecretString: 'very-distinctive-value-123' }));
    for (const f of ['credentials.json', 'master.key', 'journal.log']) {
      expect((await stat(join(t.dataDir!, f))).mode & 0o777).toBe(0o600);
    }
    const creds = JSON.parse(await readFile(join(t.dataDir!, 'credentials.json'), 'utf8'));
    expect(creds.accessKeyId).toBe(t.credentials.accessKeyId);
    const journal = await readFile(join(t.dataDir!, 'journal.log'), 'utf8');
    expect(journal).toContain('plain-check');
    expect(journal).not.toContain('very-distinctive-value-123');
    expect(journal).not.toContain(Buffer.from('very-distinctive-value-123').toString('base64'));
    sm.destroy();
    await t.close();
  });

  it('detects a tampered value with a clear DecryptionFailure and keeps serving', async () => {
    const dir = await tempDir();
    let t = await localTarget({}, dir);
    let sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'victim', SecretString: 'secret-a' }));
    await sm.send(new CreateSecretCommand({ Name: 'bystander', SecretString: 'secret-b' }));
    sm.destroy();
    await t.close();

    // Flip one byte of the sealed value and re-checksum the line, as a deliberate attacker would.
    const path = join(dir, 'journal.log');
    const lines = (await readFile(path, 'utf8')).split('\n');
    const i = lines.findIndex((l) => l.includes('"t":"ver"') && l.includes(':victim-'));
    const rec = JSON.parse(lines[i].slice(17));
    const ver = rec.ops.find((o: { t: string }) => o.t === 'ver');
    const sealed = Buffer.from(ver.v.value.v, 'base64');
    sealed[sealed.length - 1] ^= 0x01;
    ver.v.value.v = sealed.toString('base64');
    const json = JSON.stringify(rec);
    lines[i] = `${createHash('sha256').update(json).digest('hex').slice(0, 16)} ${json}`;
    await writeFile(path, lines.join('\n'));

    t = await localTarget({}, dir);
    sm = client(t);
    const err = await rejects(sm.send(new GetSecretValueCommand({ SecretId: 'victim' })), DecryptionFailure);
    expect(err.message).toMatch(/integrity check/);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'bystander' }))).SecretString).toBe('secret-b');
    sm.destroy();
    await t.close();

    // A different master key cannot open anything either.
    await writeFile(join(dir, 'master.key'), Buffer.alloc(32, 7).toString('base64'));
    t = await localTarget({}, dir);
    sm = client(t);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: 'bystander' })), DecryptionFailure);
    sm.destroy();
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to open a journal damaged in the middle, naming the file and line', async () => {
    const dir = await tempDir();
    const t = await localTarget({}, dir);
    const sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'a', SecretString: 'x' }));
    await sm.send(new CreateSecretCommand({ Name: 'b', SecretString: 'y' }));
    sm.destroy();
    await t.close();
    const path = join(dir, 'journal.log');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"name":"a"', '"name":"z"'));
    await expect(startStore({ port: 0, dataDir: dir })).rejects.toThrow(/journal.*corrupt at line 1/);
    await rm(dir, { recursive: true, force: true });
  });

  it('ignores a torn tail record and keeps everything before it', async () => {
    const dir = await tempDir();
    let t = await localTarget({}, dir);
    let sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'kept', SecretString: 'x' }));
    sm.destroy();
    await t.close();
    await appendFile(join(dir, 'journal.log'), '0123456789abcdef {"at":1,"ops":[{"t":"me');
    t = await localTarget({}, dir);
    sm = client(t);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'kept' }))).SecretString).toBe('x');
    await sm.send(new CreateSecretCommand({ Name: 'after', SecretString: 'y' }));
    sm.destroy();
    await t.close();
    t = await localTarget({}, dir);
    sm = client(t);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'after' }))).SecretString).toBe('y');
    sm.destroy();
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('compacts a long journal on open without losing anything', async () => {
    const dir = await tempDir();
    let t = await localTarget({}, dir);
    let sm = client(t);
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'compact', SecretString: 'first' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: 'compact', SecretString: 'second' }))).VersionId!;
    await Promise.all(Array.from({ length: 1100 }, (_, i) => sm.send(new TagResourceCommand({ SecretId: 'compact', Tags: [{ Key: 'n', Value: String(i % 7) }] }))));
    sm.destroy();
    await t.close();
    const before = (await readFile(join(dir, 'journal.log'), 'utf8')).split('\n').length;
    t = await localTarget({}, dir);
    sm = client(t);
    const after = (await readFile(join(dir, 'journal.log'), 'utf8')).split('\n').length;
    expect(before).toBeGreaterThan(1100);
    expect(after).toBeLessThan(10);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'compact' }));
    expect(d.VersionIdsToStages).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    expect(d.Tags).toHaveLength(1);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'compact', VersionId: v1 }))).SecretString).toBe('first');
    sm.destroy();
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second store on the same data dir', async () => {
    const t = await localTarget();
    await expect(startStore({ port: 0, dataDir: t.dataDir })).rejects.toThrow(/in use by process/);
    await t.close();
  });

  it('purges a deleted secret after its recovery window', async () => {
    let clock = Date.now();
    const t = await localTarget({ now: () => clock });
    const sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'short-lived', RecoveryWindowInDays: 7 }));
    clock += 6 * DAY;
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'short-lived' }))).DeletedDate).toBeInstanceOf(Date);
    clock += 2 * DAY;
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: 'short-lived' })), ResourceNotFoundException);
    await sm.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'new' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'short-lived' }))).SecretString).toBe('new');
    sm.destroy();
    await t.close();
  });

  it('prunes unlabeled versions beyond 100, but never ones younger than 24 hours', async () => {
    let clock = Date.now();
    const t = await localTarget({ now: () => clock });
    const sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'busy', SecretString: 'v0' }));
    for (let i = 1; i <= 105; i++) await sm.send(new PutSecretValueCommand({ SecretId: 'busy', SecretString: `v${i}` }));
    const count = async () => (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'busy', IncludeDeprecated: true, MaxResults: 100 })));
    let page = await count();
    let total = page.Versions!.length;
    if (page.NextToken) total += (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'busy', IncludeDeprecated: true, NextToken: page.NextToken }))).Versions!.length;
    expect(total).toBe(106); // all younger than 24h: none pruned

    clock += 25 * 60 * 60 * 1000;
    await sm.send(new PutSecretValueCommand({ SecretId: 'busy', SecretString: 'latest' }));
    page = await count();
    total = page.Versions!.length;
    if (page.NextToken) total += (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'busy', IncludeDeprecated: true, NextToken: page.NextToken }))).Versions!.length;
    expect(total).toBe(102); // 100 unlabeled + AWSCURRENT + AWSPREVIOUS
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: 'busy', VersionStage: 'AWSPENDING' })), ResourceNotFoundException);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'busy', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('v105');
    sm.destroy();
    await t.close();
  });

  it('serializes concurrent writes: every acknowledged version exists and exactly one is AWSCURRENT', async () => {
    const t = await localTarget();
    const sm = client(t);
    await sm.send(new CreateSecretCommand({ Name: 'hot', SecretString: 'start' }));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sm.send(new PutSecretValueCommand({ SecretId: 'hot', SecretString: `value-${i}` }))),
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'hot' }));
    const labels = Object.values(d.VersionIdsToStages!).flat();
    expect(labels.filter((l) => l === 'AWSCURRENT')).toHaveLength(1);
    expect(labels.filter((l) => l === 'AWSPREVIOUS')).toHaveLength(1);
    for (const [i, r] of results.entries()) {
      expect((await sm.send(new GetSecretValueCommand({ SecretId: 'hot', VersionId: r.VersionId }))).SecretString).toBe(`value-${i}`);
    }
    sm.destroy();
    await t.close();
  });
});
