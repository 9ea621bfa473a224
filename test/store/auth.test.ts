// SigV4: only requests signed with the store's credentials get through, refused the AWS way.
import { CreateSecretCommand, GetRandomPasswordCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, isLocal, target, type Target } from './helpers.js';

let t: Target;
let sm: SecretsManagerClient;

beforeAll(async () => {
  t = await target();
  sm = client(t);
});
afterAll(async () => {
  sm?.destroy();
  await t?.close();
});

async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('request unexpectedly succeeded');
}

describe('SigV4 verification', () => {
  it('accepts correctly signed requests', async () => {
    const r = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 8 }));
    expect(r.RandomPassword).toHaveLength(8);
  });

  it('refuses an unsigned request', async () => {
    const res = await fetch(t.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.ListSecrets' },
      body: '{}',
    });
    expect([400, 403]).toContain(res.status);
    const body = (await res.json()) as { __type: string };
    expect(body.__type).toMatch(/MissingAuthenticationToken|UnrecognizedClient|IncompleteSignature/);
  });

  it('refuses a signature made with the wrong secret key', async () => {
    const bad = client(t, { maxAttempts: 1, credentials: { ...t.credentials, secretAccessKey: t.credentials.secretAccessKey + 'x' } });
    const f = await failure(bad.send(new ListSecretsCommand({})));
    bad.destroy();
    expect(f.name).toBe('InvalidSignatureException');
    expect([400, 403]).toContain(f.status);
  });

  it('refuses an unknown access key', async () => {
    const bad = client(t, { maxAttempts: 1, credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'nope' } });
    const f = await failure(bad.send(new ListSecretsCommand({})));
    bad.destroy();
    expect(f.name).toMatch(/UnrecognizedClientException|InvalidClientTokenId/);
    expect([400, 403]).toContain(f.status);
  });

  it.skipIf(!isLocal)('refuses a signature scoped to another region', async () => {
    const bad = client(t, { maxAttempts: 1, region: t.region === 'eu-west-1' ? 'us-west-2' : 'eu-west-1' });
    const f = await failure(bad.send(new ListSecretsCommand({})));
    bad.destroy();
    expect(f.name).toBe('InvalidSignatureException');
  });

  it.skipIf(!isLocal)('refuses a tampered body (signature no longer matches)', async () => {
    // Sign a request with the SDK, then change the body on the wire.
    const tampering = client(t, { maxAttempts: 1 });
    tampering.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { body: string | Uint8Array };
        const text = typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8');
        const changed = text.replace('"Name":"a"', '"Name":"b"');
        if (changed === text) throw new Error('tamper middleware did not find the field to change');
        req.body = changed;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamper' },
    );
    const f = await failure(tampering.send(new CreateSecretCommand({ Name: 'a', SecretString: 'x' })));
    tampering.destroy();
    expect(f.name).toBe('InvalidSignatureException');
  });
});
