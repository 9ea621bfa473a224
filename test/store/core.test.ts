// Core Secrets Manager semantics, driven only through the real AWS SDK client over HTTP.
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, isLocal, namer, rejects, rejectsNamed, target, token, type Target } from './helpers.js';

let t: Target;
let sm: SecretsManagerClient;
const names = namer();

beforeAll(async () => {
  t = await target();
  sm = client(t);
});
afterAll(async () => {
  await names.cleanup(sm);
  sm?.destroy();
  await t?.close();
});

const stagesOf = async (id: string) => (await sm.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages ?? {};

describe('CreateSecret / GetSecretValue', () => {
  it('creates a string secret with AWSCURRENT and an ARN of the AWS form', async () => {
    const Name = names.name('create-basic');
    const created = await sm.send(new CreateSecretCommand({ Name, SecretString: 'hunter2', Description: 'test secret' }));
    expect(created.Name).toBe(Name);
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${t.region}:\\d{12}:secret:${Name}-[A-Za-z0-9]{6}$`));
    expect(created.VersionId).toBeTruthy();

    const got = await sm.send(new GetSecretValueCommand({ SecretId: Name }));
    expect(got.SecretString).toBe('hunter2');
    expect(got.VersionId).toBe(created.VersionId);
    expect(got.VersionStages).toEqual(['AWSCURRENT']);
    expect(got.ARN).toBe(created.ARN);
    expect(got.CreatedDate).toBeInstanceOf(Date);

    // by ARN too
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(byArn.SecretString).toBe('hunter2');
  });

  it('stores SecretBinary as bytes (base64 on the wire)', async () => {
    const Name = names.name('binary');
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
    await sm.send(new CreateSecretCommand({ Name, SecretBinary: bytes }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: Name }));
    expect(got.SecretString).toBeUndefined();
    expect(Buffer.from(got.SecretBinary!)).toEqual(Buffer.from(bytes));
  });

  it('uses the ClientRequestToken as the version id and is idempotent on retry', async () => {
    const Name = names.name('idem-create');
    const ClientRequestToken = token();
    const a = await sm.send(new CreateSecretCommand({ Name, SecretString: 'v', ClientRequestToken }));
    expect(a.VersionId).toBe(ClientRequestToken);
    await rejects(sm.send(new CreateSecretCommand({ Name, SecretString: 'v' })), ResourceExistsException);
  });

  it('rejects invalid names and both value kinds at once', async () => {
    await rejectsNamed(sm.send(new CreateSecretCommand({ Name: 'bad name with spaces', SecretString: 'x' })), 'ValidationException');
    await rejects(
      sm.send(new CreateSecretCommand({ Name: names.name('both'), SecretString: 'x', SecretBinary: new Uint8Array([1]) })),
      InvalidParameterException,
    );
  });

  it('raises ResourceNotFoundException for unknown secrets and missing values', async () => {
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: names.name('never-created') })), ResourceNotFoundException);
    const Name = names.name('no-value');
    await sm.send(new CreateSecretCommand({ Name }));
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: Name })), ResourceNotFoundException);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: Name, VersionStage: 'AWSPENDING' })), ResourceNotFoundException);
  });

  it('records KmsKeyId, description and tags', async () => {
    const Name = names.name('meta');
    await sm.send(
      new CreateSecretCommand({
        Name,
        SecretString: 'x',
        KmsKeyId: 'alias/aws/secretsmanager',
        Tags: [
          { Key: 'team', Value: 'core' },
          { Key: 'env', Value: 'test' },
        ],
      }),
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: Name }));
    expect(d.KmsKeyId).toMatch(/alias\/aws\/secretsmanager|arn:aws:kms/);
    expect(d.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'core' }, { Key: 'env', Value: 'test' }]));
    expect(d.CreatedDate).toBeInstanceOf(Date);
    expect(d.LastChangedDate).toBeInstanceOf(Date);
  });
});

describe('versions and staging labels', () => {
  it('moves AWSCURRENT to a new value and the old one becomes AWSPREVIOUS', async () => {
    const Name = names.name('labels');
    const v1 = (await sm.send(new CreateSecretCommand({ Name, SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'two' }))).VersionId!;
    expect(await stagesOf(Name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    const v3 = (await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'three' }))).VersionId!;
    expect(await stagesOf(Name)).toEqual({ [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });

    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe('three');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name, VersionId: v1 }))).SecretString).toBe('one');

    const list = await sm.send(new ListSecretVersionIdsCommand({ SecretId: Name }));
    expect(list.Versions!.map((v) => v.VersionId).sort()).toEqual([v2, v3].sort());
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: Name, IncludeDeprecated: true }));
    expect(all.Versions!.map((v) => v.VersionId).sort()).toEqual([v1, v2, v3].sort());
    expect(all.Versions!.find((v) => v.VersionId === v1)!.VersionStages ?? []).toEqual([]);
  });

  it('PutSecretValue is idempotent for the same token and value, and refuses a different value', async () => {
    const Name = names.name('put-idem');
    await sm.send(new CreateSecretCommand({ Name, SecretString: 'base' }));
    const ClientRequestToken = token();
    const a = await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'same', ClientRequestToken }));
    const b = await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'same', ClientRequestToken }));
    expect(b.VersionId).toBe(a.VersionId);
    expect(Object.keys(await stagesOf(Name))).toHaveLength(2);
    await rejects(sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'different', ClientRequestToken })), ResourceExistsException);
  });

  it('PutSecretValue with AWSPENDING leaves AWSCURRENT alone; UpdateSecretVersionStage promotes it', async () => {
    const Name = names.name('pending');
    const v1 = (await sm.send(new CreateSecretCommand({ Name, SecretString: 'old' }))).VersionId!;
    const put = await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'new', VersionStages: ['AWSPENDING'] }));
    expect(put.VersionStages).toEqual(['AWSPENDING']);
    const v2 = put.VersionId!;
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe('old');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name, VersionStage: 'AWSPENDING' }))).SecretString).toBe('new');

    // moving AWSCURRENT needs RemoveFromVersionId
    await rejects(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: Name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2 })),
      InvalidParameterException,
    );
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: Name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2, RemoveFromVersionId: v1 }));
    const stages = await stagesOf(Name);
    expect(stages[v1]).toEqual(['AWSPREVIOUS']);
    expect(stages[v2]).toContain('AWSCURRENT');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe('new');

    // custom labels move between versions and can be removed
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: Name, VersionStage: 'blue', MoveToVersionId: v1 }));
    expect((await stagesOf(Name))[v1]).toEqual(['AWSPREVIOUS', 'blue']);
    await rejects(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: Name, VersionStage: 'blue', RemoveFromVersionId: v2 })),
      InvalidParameterException,
    );
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: Name, VersionStage: 'blue', RemoveFromVersionId: v1 }));
    expect((await stagesOf(Name))[v1]).toEqual(['AWSPREVIOUS']);
  });

  it('UpdateSecret changes metadata and, with a value, makes a new AWSCURRENT version', async () => {
    const Name = names.name('update');
    const v1 = (await sm.send(new CreateSecretCommand({ Name, SecretString: 'a', Description: 'first' }))).VersionId!;
    const meta = await sm.send(new UpdateSecretCommand({ SecretId: Name, Description: 'second' }));
    expect(meta.VersionId).toBeUndefined();
    expect((await sm.send(new DescribeSecretCommand({ SecretId: Name }))).Description).toBe('second');
    const upd = await sm.send(new UpdateSecretCommand({ SecretId: Name, SecretString: 'b' }));
    expect(upd.VersionId).toBeTruthy();
    expect(await stagesOf(Name)).toEqual({ [v1]: ['AWSPREVIOUS'], [upd.VersionId!]: ['AWSCURRENT'] });
    await rejects(sm.send(new UpdateSecretCommand({ SecretId: names.name('nope'), Description: 'x' })), ResourceNotFoundException);
  });

  it('records LastAccessedDate once the value is read', async () => {
    const Name = names.name('accessed');
    await sm.send(new CreateSecretCommand({ Name, SecretString: 'x' }));
    await sm.send(new GetSecretValueCommand({ SecretId: Name }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: Name }));
    expect(d.LastAccessedDate).toBeInstanceOf(Date);
    expect(Date.now() - d.LastAccessedDate!.getTime()).toBeLessThan(2 * 86_400_000);
  });
});

describe('tags', () => {
  it('TagResource merges and UntagResource removes', async () => {
    const Name = names.name('tags');
    await sm.send(new CreateSecretCommand({ Name, SecretString: 'x', Tags: [{ Key: 'a', Value: '1' }] }));
    await sm.send(new TagResourceCommand({ SecretId: Name, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] }));
    let tags = (await sm.send(new DescribeSecretCommand({ SecretId: Name }))).Tags ?? [];
    expect(tags.sort((x, y) => x.Key!.localeCompare(y.Key!))).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }]);
    await sm.send(new UntagResourceCommand({ SecretId: Name, TagKeys: ['a'] }));
    tags = (await sm.send(new DescribeSecretCommand({ SecretId: Name }))).Tags ?? [];
    expect(tags).toEqual([{ Key: 'b', Value: '3' }]);
    await rejects(sm.send(new TagResourceCommand({ SecretId: names.name('nope2'), Tags: [{ Key: 'a', Value: '1' }] })), ResourceNotFoundException);
  });
});

describe('DeleteSecret / RestoreSecret', () => {
  it('schedules deletion, hides the value, and restores', async () => {
    const Name = names.name('delete');
    await sm.send(new CreateSecretCommand({ Name, SecretString: 'x' }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: Name, RecoveryWindowInDays: 7 }));
    const days = (del.DeletionDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: Name })), InvalidRequestException);
    await rejects(sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: 'y' })), InvalidRequestException);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: Name }))).DeletedDate).toBeInstanceOf(Date);
    await rejects(sm.send(new CreateSecretCommand({ Name, SecretString: 'z' })), InvalidRequestException);
    await sm.send(new RestoreSecretCommand({ SecretId: Name }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe('x');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: Name }))).DeletedDate).toBeUndefined();
  });

  it('defaults the recovery window to 30 days and validates it', async () => {
    const Name = names.name('delete-default');
    await sm.send(new CreateSecretCommand({ Name, SecretString: 'x' }));
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: Name, RecoveryWindowInDays: 3 })), InvalidParameterException);
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: Name, RecoveryWindowInDays: 31 })), InvalidParameterException);
    await rejects(
      sm.send(new DeleteSecretCommand({ SecretId: Name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      InvalidParameterException,
    );
    const del = await sm.send(new DeleteSecretCommand({ SecretId: Name }));
    const days = (del.DeletionDate!.getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    await sm.send(new RestoreSecretCommand({ SecretId: Name }));
  });

  it('ForceDeleteWithoutRecovery removes the secret at once', async () => {
    const Name = names.name('force');
    await sm.send(new CreateSecretCommand({ Name, SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: Name, ForceDeleteWithoutRecovery: true }));
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: Name })), ResourceNotFoundException);
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: names.name('nope3') })), ResourceNotFoundException);
  });
});

describe('ListSecrets', () => {
  it('paginates, filters and includes planned deletions on request', async () => {
    const prefix = names.name('list') + '/';
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const Name = names.name(`list/item-${i}`);
      made.push(Name);
      await sm.send(
        new CreateSecretCommand({ Name, SecretString: String(i), Description: i % 2 ? 'Odd one' : 'even one', Tags: [{ Key: 'idx', Value: `v${i}` }] }),
      );
    }
    await sm.send(new DeleteSecretCommand({ SecretId: made[4], RecoveryWindowInDays: 7 }));

    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const r = await sm.send(new ListSecretsCommand({ MaxResults: 2, NextToken, Filters: [{ Key: 'name', Values: [prefix] }] }));
      seen.push(...r.SecretList!.map((s) => s.Name!));
      NextToken = r.NextToken;
      pages++;
    } while (NextToken);
    expect(seen.sort()).toEqual(made.slice(0, 4).sort());
    expect(pages).toBeGreaterThanOrEqual(2);

    const withDeleted = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: [prefix] }] }));
    expect(withDeleted.SecretList!.map((s) => s.Name).sort()).toEqual([...made].sort());
    expect(withDeleted.SecretList!.find((s) => s.Name === made[4])!.DeletedDate).toBeInstanceOf(Date);

    const byTag = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }, { Key: 'tag-value', Values: ['v1', 'v3'] }] }));
    expect(byTag.SecretList!.map((s) => s.Name).sort()).toEqual([made[1], made[3]].sort());

    const byDesc = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }, { Key: 'description', Values: ['odd'] }] }));
    expect(byDesc.SecretList!.map((s) => s.Name).sort()).toEqual([made[1], made[3]].sort());

    const negated = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }, { Key: 'tag-value', Values: ['!v0'] }] }));
    expect(negated.SecretList!.map((s) => s.Name).sort()).toEqual(made.slice(1, 4).sort());

    const entry = withDeleted.SecretList!.find((s) => s.Name === made[0])!;
    expect(Object.values(entry.SecretVersionsToStages!)).toEqual([['AWSCURRENT']]);
  });
});

describe('BatchGetSecretValue', () => {
  it('returns values by id list and reports missing ones as errors', async () => {
    const a = names.name('batch/a');
    const b = names.name('batch/b');
    await sm.send(new CreateSecretCommand({ Name: a, SecretString: 'A' }));
    await sm.send(new CreateSecretCommand({ Name: b, SecretString: 'B' }));
    const missing = names.name('batch/missing');
    const r = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: [a, b, missing] }));
    expect(r.SecretValues!.map((v) => [v.Name, v.SecretString]).sort()).toEqual([
      [a, 'A'],
      [b, 'B'],
    ]);
    expect(r.Errors).toHaveLength(1);
    expect(r.Errors![0].SecretId).toBe(missing);
    expect(r.Errors![0].ErrorCode).toBe('ResourceNotFoundException');
  });

  it('returns values by filter, paginated', async () => {
    const prefix = names.name('bfilter') + '/';
    for (const i of [1, 2, 3]) await sm.send(new CreateSecretCommand({ Name: names.name(`bfilter/${i}`), SecretString: `s${i}` }));
    const got: string[] = [];
    let NextToken: string | undefined;
    do {
      const r = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2, NextToken }));
      got.push(...r.SecretValues!.map((v) => v.SecretString!));
      NextToken = r.NextToken;
    } while (NextToken);
    expect(got.sort()).toEqual(['s1', 's2', 's3']);
  });

  it('refuses both an id list and filters', async () => {
    await rejects(
      sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['x'], Filters: [{ Key: 'name', Values: ['x'] }] })),
      InvalidParameterException,
    );
  });
});

describe('GetRandomPassword', () => {
  it('defaults to 32 characters with every class', async () => {
    const p = (await sm.send(new GetRandomPasswordCommand({}))).RandomPassword!;
    expect(p).toHaveLength(32);
    expect(p).toMatch(/[a-z]/);
    expect(p).toMatch(/[A-Z]/);
    expect(p).toMatch(/[0-9]/);
    expect(p).toMatch(/[^A-Za-z0-9]/);
  });

  it('honours the exclusion options', async () => {
    const p = (
      await sm.send(new GetRandomPasswordCommand({ PasswordLength: 64, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeCharacters: 'abc012' }))
    ).RandomPassword!;
    expect(p).toMatch(/^[d-z3-9]{64}$/);
    const spaced = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40, IncludeSpace: true, ExcludeNumbers: true, ExcludeLowercase: true, ExcludePunctuation: true }))).RandomPassword!;
    expect(spaced).toMatch(/^[A-Z ]{40}$/);
    expect(spaced).toContain(' ');
    await rejectsNamed(sm.send(new GetRandomPasswordCommand({ PasswordLength: 0 })), 'ValidationException');
    await rejectsNamed(sm.send(new GetRandomPasswordCommand({ PasswordLength: 5000 })), 'ValidationException');
    if (isLocal) await rejects(sm.send(new GetRandomPasswordCommand({ PasswordLength: 2, RequireEachIncludedType: true })), InvalidParameterException);
  });
});
