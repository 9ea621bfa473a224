// The HTTP front of the store: AWS JSON 1.1 over POST /, SigV4 checked on every request,
// write operations serialized through one queue whose commits are fsync'd before replying.
import { randomUUID } from 'node:crypto';
import { open as openFile, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { apiError, isApiError } from './errors.js';
import { openJournal } from './journal.js';
import { ensureDataDir, loadCredentials, loadMasterKey } from './keys.js';
import { expiredDeletions, operations, type Ctx } from './operations.js';
import { defaultDataDir, files } from './paths.js';
import { loadRotator, runRotation } from './rotation.js';
import { nextRotation } from './schedule.js';
import { apply, metaOf, replay, snapshot, type Op } from './state.js';
import { verifySigV4 } from './sigv4.js';

export type StoreOptions = {
  port?: number;
  host?: string;
  dataDir?: string;
  region?: string;
  env?: NodeJS.ProcessEnv; // for the default data dir and the rotation commands' environment
  log?: (line: string) => void; // operational messages; never secret values
  rotationCheckSeconds?: number; // run due rotations this often; 0 or unset = only on request
  now?: () => number; // a clock, for tests of time-based behaviour
};

export type RunningStore = {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dataDir: string;
  close(): Promise<void>;
};

const MAX_BODY = 1024 * 1024;
const SWEEP_MS = 60_000;

// One live server per data dir: two writers appending to one journal would corrupt it.
async function lockDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, files.lock);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await openFile(path, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (pid > 0 && alive(pid)) throw new Error(`store data dir ${dir} is in use by process ${pid}; stop that store or use another --data dir`);
    await rm(path, { force: true }); // left behind by a store that was killed
  }
  throw new Error(`could not lock store data dir ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(apiError('RequestEntityTooLargeException', 'Request body is larger than 1 MiB.', 413));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startStore(opts: StoreOptions): Promise<RunningStore> {
  const env = opts.env ?? {};
  const dataDir = opts.dataDir ?? defaultDataDir(env);
  const region = opts.region ?? 'us-east-1';
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  await ensureDataDir(dataDir);
  const unlock = await lockDir(dataDir);
  let journal: Awaited<ReturnType<typeof openJournal>>;
  let creds: Awaited<ReturnType<typeof loadCredentials>>;
  let master: Buffer;
  try {
    creds = await loadCredentials(dataDir);
    master = await loadMasterKey(dataDir);
    journal = await openJournal(join(dataDir, files.journal));
  } catch (e) {
    await unlock();
    throw e;
  }
  const state = replay(journal.records);
  const live = [...state.secrets.values()].reduce((n, s) => n + 1 + s.versions.size, 0);
  if (journal.records.length > 1000 && journal.records.length > 4 * live) await journal.rewrite(snapshot(state));
  journal.records.length = 0;

  let queue: Promise<unknown> = Promise.resolve();
  const locked = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  // Writes the record and applies it; handle() waits for journal.flushed() before replying.
  const commit = async (ops: Op[]) => {
    if (!ops.length) return;
    await journal.append({ at: now(), ops });
    for (const op of ops) apply(state, op);
  };

  let url = '';
  const rotating = new Set<string>();
  const failedAt = new Map<string, number>();
  const rotationEnv = (): NodeJS.ProcessEnv => ({
    PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: env.HOME,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    LEAKFIX_STORE_URL: url,
  });

  const ctx: Ctx = {
    state,
    now,
    master,
    region,
    account: creds.accountId,
    commit,
    locked,
    rotation: {
      known: async (arn) => (await loadRotator(dataDir, arn)) !== undefined,
      running: (arn) => rotating.has(arn),
      start: (arn, token) => void rotate(arn, token),
    },
  };

  // Runs the four steps outside the writer queue (the command calls back into this store),
  // then records the outcome. A failed step leaves AWSCURRENT where it was.
  async function rotate(arn: string, token: string): Promise<void> {
    rotating.add(arn);
    const name = state.secrets.get(arn)?.name ?? arn;
    try {
      const spec = await loadRotator(dataDir, state.secrets.get(arn)?.rotationLambdaArn ?? '');
      const result = spec ? await runRotation(spec, arn, token, rotationEnv()) : { ok: false as const, step: 'createSecret', message: 'rotation function is no longer configured' };
      await locked(async () => {
        const s = state.secrets.get(arn);
        if (!s) return;
        if (!result.ok || s.stages.AWSCURRENT !== token) {
          failedAt.set(arn, now());
          log(result.ok ? `rotation of ${name} failed: finishSecret did not move AWSCURRENT to ${token}` : `rotation of ${name} failed at ${result.step}: ${result.message}`);
          return;
        }
        failedAt.delete(arn);
        const meta = metaOf(s);
        if (meta.stages.AWSPENDING === token) delete meta.stages.AWSPENDING;
        meta.lastRotated = now();
        meta.nextRotation = meta.rotationEnabled ? nextRotation(meta.rotationRules, meta.lastRotated) : undefined;
        await commit([{ t: 'meta', m: meta }]);
        log(`rotated ${name} to version ${token}`);
      });
    } catch (e) {
      log(`rotation of ${name} failed: ${(e as Error).message}`);
    } finally {
      rotating.delete(arn);
    }
  }

  const sweep = () =>
    locked(async () => {
      const gone = expiredDeletions(ctx);
      if (gone.length) await commit(gone.map((arn) => ({ t: 'purge' as const, arn })));
    }).catch((e) => log(`purge failed: ${(e as Error).message}`));

  async function runDueRotations(): Promise<void> {
    for (const s of state.secrets.values()) {
      const t = now();
      const recentFailure = (failedAt.get(s.arn) ?? 0) > t - 3_600_000;
      if (!s.rotationEnabled || s.deletedAt !== undefined || s.nextRotation === undefined || s.nextRotation > t) continue;
      if (rotating.has(s.arn) || recentFailure) continue;
      await locked(() => operations.RotateSecret.run(ctx, { SecretId: s.arn })).catch((e) => {
        failedAt.set(s.arn, t);
        log(`scheduled rotation of ${s.name} could not start: ${(e as Error).message}`);
      });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const send = (status: number, body: object, extra: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/x-amz-json-1.1',
        'Content-Length': Buffer.byteLength(text),
        'x-amzn-RequestId': requestId,
        ...extra,
      });
      res.end(text);
    };
    let op = '';
    try {
      const body = await readBody(req);
      const [path, query = ''] = (req.url ?? '/').split('?');
      verifySigV4(
        { method: req.method ?? 'GET', path, query, headers: req.headers, body },
        { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, region, service: 'secretsmanager', now: Date.now() }, // real time: clients sign with it
      );
      const target = /^secretsmanager\.(\w+)$/.exec(String(req.headers['x-amz-target'] ?? ''));
      op = target?.[1] ?? '';
      const handler = req.method === 'POST' && path === '/' ? operations[op] : undefined;
      if (!handler) throw apiError('UnknownOperationException', `Unknown operation ${req.headers['x-amz-target'] ?? '(no X-Amz-Target)'}`);
      let input: Record<string, unknown>;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw apiError('SerializationException', 'The request body is not valid JSON.');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw apiError('SerializationException', 'The request body must be a JSON object.');
      const out = handler.write ? await locked(() => handler.run(ctx, input)) : await handler.run(ctx, input);
      // Reply only once what this request wrote, or saw, is on disk.
      await journal.flushed();
      send(200, out);
    } catch (e) {
      await journal.flushed().catch(() => {});
      if (isApiError(e)) {
        send(e.status, { __type: e.type, message: e.message }, { 'x-amzn-ErrorType': e.type });
      } else {
        log(`${op || 'request'} failed: ${(e as Error).message}`);
        send(500, { __type: 'InternalServiceError', message: 'An error occurred on the server side.' }, { 'x-amzn-ErrorType': 'InternalServiceError' });
      }
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
  } catch (e) {
    await journal.close();
    await unlock();
    throw new Error(`store could not listen on ${opts.host ?? '127.0.0.1'}:${opts.port ?? 0}: ${(e as Error).message}`);
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${addr.port}`;

  await sweep();
  const timers = [setInterval(() => void sweep(), SWEEP_MS)];
  if (opts.rotationCheckSeconds) {
    timers.push(setInterval(() => void runDueRotations(), opts.rotationCheckSeconds * 1000));
    void runDueRotations();
  }
  for (const t of timers) t.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    region,
    dataDir,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    close() {
      closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await queue;
        while (rotating.size) await new Promise((r) => setTimeout(r, 50));
        await journal.close();
        await unlock();
      })();
      return closing;
    },
  };
}
