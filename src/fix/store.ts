// The store step: one Secrets Manager client (the embedded local store or AWS), a read-only
// check of every planned secret, then idempotent writes. Values never appear in messages.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { UserError } from '../errors.js';
import { startStore } from '../store/server.js';
import { defaultDataDir } from '../store/paths.js';
import { requestToken } from './names.js';
import type { PlannedSecret } from './plan.js';

export type StoreKind = 'local' | 'aws';

export interface StoreConnection {
  kind: StoreKind;
  client: SecretsManagerClient;
  region: string;
  /** Endpoint and credentials of the embedded store, for a child process (`leakfix run`). */
  local?: { url: string; accessKeyId: string; secretAccessKey: string; dataDir: string };
  where: string;
  close(): Promise<void>;
}

/** AWS configuration the standard credential chain would find. */
export function hasAwsConfig(env: NodeJS.ProcessEnv): boolean {
  const home = env.HOME ?? '';
  return Boolean(
    env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      env.AWS_ENDPOINT_URL_SECRETS_MANAGER ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
      env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
      (home && (existsSync(join(home, '.aws', 'credentials')) || existsSync(join(home, '.aws', 'config')))),
  );
}

export async function connectStore(kind: StoreKind, options: { region?: string; env: NodeJS.ProcessEnv }): Promise<StoreConnection> {
  const { env } = options;
  if (kind === 'local') {
    const dataDir = defaultDataDir(env);
    let store;
    try {
      store = await startStore({ port: 0, dataDir, env, region: options.region ?? env.LEAKFIX_STORE_REGION ?? 'us-east-1' });
    } catch (e) {
      throw new UserError(`cannot open the local store at ${dataDir}: ${(e as Error).message}`);
    }
    const client = new SecretsManagerClient({ endpoint: store.url, region: store.region, credentials: store.credentials, maxAttempts: 2 });
    return {
      kind,
      client,
      region: store.region,
      local: { url: store.url, ...store.credentials, dataDir },
      where: `the local leakfix store (${dataDir})`,
      async close() {
        client.destroy();
        await store.close();
      },
    };
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  const client = new SecretsManagerClient({ ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}), maxAttempts: 2 });
  let resolved = region ?? '';
  if (!resolved) {
    try {
      resolved = await client.config.region();
    } catch {
      throw new UserError('no AWS region: pass --region or set AWS_REGION');
    }
  }
  return {
    kind,
    client,
    region: resolved,
    where: endpoint ? `Secrets Manager at ${endpoint}` : `AWS Secrets Manager (${resolved})`,
    async close() {
      client.destroy();
    },
  };
}

/** An SDK failure as one line the user can act on. */
export function storeError(e: unknown, where: string): UserError {
  const err = e as Error & { $metadata?: { httpStatusCode?: number }; code?: string; name: string };
  if (!err.$metadata?.httpStatusCode) {
    const cause = err.code ?? (err as { cause?: { code?: string } }).cause?.code ?? err.message;
    return new UserError(`cannot reach ${where}: ${cause}`);
  }
  return new UserError(`${where}: ${err.name}: ${err.message}`);
}

export type StoreAction = 'create' | 'unchanged' | 'extend' | 'update';

export interface CheckedSecret {
  secret: PlannedSecret;
  action: StoreAction;
  /** The SecretString to write (an existing JSON secret keeps keys this fix does not touch). */
  value: string;
  versionId?: string;
  conflict?: string[];
}

function parseObject(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads what the store holds under each planned name; writes nothing. */
export async function checkSecrets(conn: StoreConnection, secrets: PlannedSecret[]): Promise<CheckedSecret[]> {
  const out: CheckedSecret[] = [];
  for (const secret of secrets) {
    let current: { value: string; versionId?: string } | undefined;
    try {
      const r = await conn.client.send(new GetSecretValueCommand({ SecretId: secret.name }));
      current = { value: r.SecretString ?? '', versionId: r.VersionId };
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'ResourceNotFoundException') {
        out.push({ secret, action: 'create', value: secret.value });
        continue;
      }
      if (name === 'InvalidRequestException') throw new UserError(`secret ${secret.name} is scheduled for deletion in ${conn.where}: restore it or pick another --prefix`);
      throw storeError(e, conn.where);
    }
    if (current.value === secret.value) {
      out.push({ secret, action: 'unchanged', value: current.value, versionId: current.versionId });
      continue;
    }
    const old = secret.json ? parseObject(current.value) : undefined;
    if (old) {
      const mine = JSON.parse(secret.value) as Record<string, string>;
      const conflict = Object.keys(mine).filter((k) => k in old && old[k] !== mine[k]);
      const merged = JSON.stringify({ ...old, ...mine });
      if (conflict.length === 0) {
        const same = Object.keys(mine).every((k) => k in old);
        out.push(same ? { secret, action: 'unchanged', value: current.value, versionId: current.versionId } : { secret, action: 'extend', value: merged });
      } else out.push({ secret, action: 'update', value: merged, conflict });
      continue;
    }
    out.push({ secret, action: 'update', value: secret.value, conflict: [] });
  }
  return out;
}

export interface StoreWriteOptions {
  tags: (secret: PlannedSecret) => { Key: string; Value: string }[];
  kmsKeyId?: string;
  replicaRegions: string[];
  description: string;
}

/** Writes every checked secret. Same name + same value → same token → no new version. */
export async function writeSecrets(conn: StoreConnection, checked: CheckedSecret[], o: StoreWriteOptions): Promise<{ name: string; action: StoreAction; versionId?: string }[]> {
  const results: { name: string; action: StoreAction; versionId?: string }[] = [];
  for (const c of checked) {
    const name = c.secret.name;
    const Tags = o.tags(c.secret);
    const ClientRequestToken = requestToken(name, c.value);
    try {
      if (c.action === 'create') {
        const r = await conn.client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: c.value,
            ClientRequestToken,
            Description: o.description,
            Tags,
            ...(o.kmsKeyId ? { KmsKeyId: o.kmsKeyId } : {}),
            ...(o.replicaRegions.length ? { AddReplicaRegions: o.replicaRegions.map((Region) => ({ Region, ...(o.kmsKeyId ? { KmsKeyId: o.kmsKeyId } : {}) })) } : {}),
          }),
        );
        results.push({ name, action: c.action, versionId: r.VersionId });
        continue;
      }
      let versionId = c.versionId;
      if (c.action === 'extend' || c.action === 'update') {
        const r = await conn.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: c.value, ClientRequestToken }));
        versionId = r.VersionId;
      }
      await conn.client.send(new TagResourceCommand({ SecretId: name, Tags }));
      results.push({ name, action: c.action, versionId });
    } catch (e) {
      throw storeError(e, conn.where);
    }
  }
  return results;
}

/** env name → value, for the secrets a mapping names. */
export async function fetchMapped(conn: StoreConnection, mapping: Record<string, { secretId: string; key?: string }>): Promise<Record<string, string>> {
  const values = new Map<string, string>();
  const out: Record<string, string> = {};
  for (const [env, where] of Object.entries(mapping)) {
    let value = values.get(where.secretId);
    if (value === undefined) {
      try {
        const r = await conn.client.send(new GetSecretValueCommand({ SecretId: where.secretId }));
        value = r.SecretString ?? '';
      } catch (e) {
        if ((e as Error).name === 'ResourceNotFoundException') throw new UserError(`secret ${where.secretId} (for ${env}) is not in ${conn.where}`);
        throw storeError(e, conn.where);
      }
      values.set(where.secretId, value);
    }
    if (where.key === undefined) out[env] = value;
    else {
      const v = parseObject(value)?.[where.key];
      if (typeof v !== 'string') throw new UserError(`secret ${where.secretId} has no key ${where.key} (for ${env})`);
      out[env] = v;
    }
  }
  return out;
}
