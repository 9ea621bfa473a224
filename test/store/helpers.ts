// Shared set-up for the store suite. By default each file starts its own local store on an
// ephemeral port with a temporary data dir; with LEAKFIX_TEST_SM_ENDPOINT set, the same tests
// run against that endpoint (LocalStack, an AWS sandbox, ...) instead.
import { SecretsManagerClient, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startStore, type StoreOptions } from '../../src/store/server.js';

export const remoteEndpoint = process.env.LEAKFIX_TEST_SM_ENDPOINT;
export const isLocal = !remoteEndpoint;

export type Target = {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  dataDir?: string;
  close(): Promise<void>;
};

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'leakfix-store-'));
}

export async function localTarget(extra: Partial<StoreOptions> = {}, dataDir?: string): Promise<Target> {
  const dir = dataDir ?? (await tempDir());
  const store = await startStore({ port: 0, dataDir: dir, ...extra });
  return {
    endpoint: store.url,
    region: store.region,
    credentials: store.credentials,
    dataDir: dir,
    async close() {
      await store.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function target(): Promise<Target> {
  if (!remoteEndpoint) return localTarget();
  const accessKeyId = process.env.LEAKFIX_TEST_SM_ACCESS_KEY_ID ?? process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.LEAKFIX_TEST_SM_SECRET_ACCESS_KEY ?? process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('LEAKFIX_TEST_SM_ENDPOINT needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  return {
    endpoint: remoteEndpoint,
    region: process.env.LEAKFIX_TEST_SM_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN },
    async close() {},
  };
}

export function client(t: Target, extra: { maxAttempts?: number; credentials?: Target['credentials']; region?: string } = {}) {
  return new SecretsManagerClient({
    endpoint: t.endpoint,
    region: extra.region ?? t.region,
    credentials: extra.credentials ?? t.credentials,
    maxAttempts: extra.maxAttempts ?? 2,
  });
}

// Unique names per run, so runs against a shared endpoint never collide; `cleanup` force-deletes.
const run = randomBytes(4).toString('hex');
export function namer() {
  const made: string[] = [];
  return {
    name(label: string) {
      const n = `leakfix-test/${run}/${label}`;
      made.push(n);
      return n;
    },
    async cleanup(sm: SecretsManagerClient) {
      for (const SecretId of made) {
        await sm.send(new DeleteSecretCommand({ SecretId, ForceDeleteWithoutRecovery: true })).catch(() => {});
      }
    },
  };
}

export const token = () => randomBytes(16).toString('hex'); // 32 chars, a valid ClientRequestToken

export async function rejects<E>(p: Promise<unknown>, cls: new (...a: any[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${(e as Error).name}: ${(e as Error).message}`);
  }
  throw new Error(`expected ${cls.name}, but the call succeeded`);
}

// Errors AWS reports without a modeled class (ValidationException) arrive as a generic service
// exception carrying the type as its name.
export async function rejectsNamed(p: Promise<unknown>, name: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if ((e as Error).name === name) return e as Error;
    throw new Error(`expected ${name}, got ${(e as Error).name}: ${(e as Error).message}`);
  }
  throw new Error(`expected ${name}, but the call succeeded`);
}
