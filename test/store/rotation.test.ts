// Rotation through a local command standing in for the Lambda: four steps, AWSPENDING until
// finishSecret promotes it, AWSCURRENT untouched when a step fails, schedules, and the timer.
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, isLocal, localTarget, rejects, type Target } from './helpers.js';

const ROTATOR = fileURLToPath(new URL('./fixtures/rotator.mjs', import.meta.url));
const FN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const DAY = 86_400_000;

let t: Target;
let sm: SecretsManagerClient;
let clock = Date.now();
const logs: string[] = [];

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; store log:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stepLog = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

beforeAll(async () => {
  if (!isLocal) return;
  t = await localTarget({ now: () => clock, log: (l) => logs.push(l), rotationCheckSeconds: 0.1, env: { PATH: process.env.PATH } });
  const dir = t.dataDir!;
  await writeFile(
    join(dir, 'rotation.json'),
    JSON.stringify({
      functions: {
        good: { command: [process.execPath, ROTATOR, '--log', join(dir, 'good.log')] },
        failing: { command: [process.execPath, ROTATOR, '--log', join(dir, 'failing.log'), '--fail', 'testSecret'] },
        scheduled: { command: [process.execPath, ROTATOR, '--log', join(dir, 'scheduled.log')] },
      },
    }),
  );
  sm = client(t);
});
afterAll(async () => {
  sm?.destroy();
  await t?.close();
});

describe.skipIf(!isLocal)('rotation', () => {
  it('runs createSecret, setSecret, testSecret, finishSecret and promotes the new version', async () => {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'rot/good', SecretString: 'before' }))).VersionId!;
    const r = await sm.send(new RotateSecretCommand({ SecretId: 'rot/good', RotationLambdaARN: FN('good'), RotationRules: { AutomaticallyAfterDays: 7 } }));
    expect(r.VersionId).toBeTruthy();
    const pendingNow = (await sm.send(new DescribeSecretCommand({ SecretId: 'rot/good' }))).VersionIdsToStages!;
    expect(pendingNow[r.VersionId!]).toEqual(['AWSPENDING']);

    const d = await until('rotation to finish', async () => {
      const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/good' }));
      return d.LastRotatedDate ? d : undefined;
    });
    expect(d.VersionIdsToStages).toEqual({ [v1]: ['AWSPREVIOUS'], [r.VersionId!]: ['AWSCURRENT'] });
    expect(d.RotationEnabled).toBe(true);
    expect(d.RotationLambdaARN).toBe(FN('good'));
    expect(d.RotationRules?.AutomaticallyAfterDays).toBe(7);
    expect(Math.round((d.NextRotationDate!.getTime() - clock) / DAY)).toBe(7);
    const now = await sm.send(new GetSecretValueCommand({ SecretId: 'rot/good' }));
    expect(now.VersionId).toBe(r.VersionId);
    expect(now.SecretString).not.toBe('before');
    expect(await stepLog(join(t.dataDir!, 'good.log'))).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  });

  it('leaves AWSCURRENT where it was when a step fails', async () => {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'rot/failing', SecretString: 'stays' }))).VersionId!;
    const r = await sm.send(new RotateSecretCommand({ SecretId: 'rot/failing', RotationLambdaARN: FN('failing') }));
    await until('the failure to be logged', () => logs.find((l) => /rotation of rot\/failing failed at testSecret/.test(l)));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/failing' }));
    expect(d.VersionIdsToStages![v1]).toEqual(['AWSCURRENT']);
    expect(d.VersionIdsToStages![r.VersionId!]).toEqual(['AWSPENDING']);
    expect(d.LastRotatedDate).toBeUndefined();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot/failing' }))).SecretString).toBe('stays');
    expect(await stepLog(join(t.dataDir!, 'failing.log'))).toEqual(['createSecret', 'setSecret', 'testSecret']);
    expect(logs.join('\n')).not.toContain('stays'); // no secret values in logs

    const c = await sm.send(new CancelRotateSecretCommand({ SecretId: 'rot/failing' }));
    expect(c.VersionId).toBe(r.VersionId);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'rot/failing' }))).RotationEnabled).toBe(false);
  });

  it('refuses rotation without a configured function', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rot/none', SecretString: 'x' }));
    await rejects(sm.send(new RotateSecretCommand({ SecretId: 'rot/none' })), InvalidRequestException);
    await rejects(sm.send(new RotateSecretCommand({ SecretId: 'rot/none', RotationLambdaARN: FN('missing') })), InvalidRequestException);
  });

  it('validates RotationRules and computes NextRotationDate for rate() and cron()', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rot/rules', SecretString: 'x' }));
    const rotate = (RotationRules: object) =>
      sm.send(new RotateSecretCommand({ SecretId: 'rot/rules', RotationLambdaARN: FN('good'), RotateImmediately: false, RotationRules }));
    await rejects(rotate({ AutomaticallyAfterDays: 0 }), InvalidParameterException);
    await rejects(rotate({ ScheduleExpression: 'rate(1 hours)' }), InvalidParameterException);
    await rejects(rotate({ ScheduleExpression: 'cron(not a cron)' }), InvalidParameterException);
    await rejects(rotate({ AutomaticallyAfterDays: 3, ScheduleExpression: 'rate(3 days)' }), InvalidParameterException);

    const r = await rotate({ ScheduleExpression: 'rate(10 days)' });
    expect(r.VersionId).toBeUndefined();
    let d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/rules' }));
    expect(Math.round((d.NextRotationDate!.getTime() - clock) / DAY)).toBe(10);
    expect(d.RotationRules?.ScheduleExpression).toBe('rate(10 days)');

    await rotate({ ScheduleExpression: 'cron(0 3 ? * MON *)', Duration: '2h' });
    d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/rules' }));
    const next = d.NextRotationDate!;
    expect(next.getUTCDay()).toBe(1);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([3, 0]);
    expect(next.getTime() - clock).toBeGreaterThan(0);
    expect(next.getTime() - clock).toBeLessThanOrEqual(7 * DAY);

    await rotate({ ScheduleExpression: 'cron(30 14 L * ? *)' });
    d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/rules' }));
    const last = d.NextRotationDate!;
    expect(new Date(last.getTime() + DAY).getUTCDate()).toBe(1); // last day of a month
    await sm.send(new CancelRotateSecretCommand({ SecretId: 'rot/rules' }));
  });

  it('runs due rotations on the timer', async () => {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'rot/scheduled', SecretString: 'x' }))).VersionId!;
    await sm.send(
      new RotateSecretCommand({ SecretId: 'rot/scheduled', RotationLambdaARN: FN('scheduled'), RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 1 } }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await stepLog(join(t.dataDir!, 'scheduled.log'))).toEqual([]); // not due yet
    clock += 2 * DAY;
    const d = await until('the scheduled rotation', async () => {
      const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/scheduled' }));
      return d.LastRotatedDate ? d : undefined;
    });
    expect(d.VersionIdsToStages![v1]).toEqual(['AWSPREVIOUS']);
    expect(Math.round((d.NextRotationDate!.getTime() - clock) / DAY)).toBe(1);
  });
});
