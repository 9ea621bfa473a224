// `leakfix store serve|credentials`. cli.ts wires SIGINT/SIGTERM to stopServe().
import { parseArgs } from 'node:util';
import { ensureDataDir, loadCredentials } from './keys.js';
import { defaultDataDir } from './paths.js';
import { startStore, type RunningStore } from './server.js';

export type StoreIo = { stdout: (s: string) => void; stderr: (s: string) => void; env: NodeJS.ProcessEnv };

const USAGE = `usage: leakfix store serve [--port N] [--host H] [--data DIR] [--region R] [--rotation-check SECONDS]
       leakfix store credentials [--data DIR] [--json]`;

let running: { store: RunningStore; done: Promise<void> } | undefined;

// Closes the store started by `serve`; its storeCommand promise then resolves with 0.
export async function stopServe(): Promise<void> {
  await running?.store.close();
}

const fail = (io: StoreIo, message: string) => {
  io.stderr(`leakfix store: ${message}\n`);
  return 2;
};

export async function storeCommand(argv: string[], io: StoreIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) return fail(io, `missing subcommand (serve or credentials)\n${USAGE}`);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(USAGE + '\n');
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        region: { type: 'string' },
        'rotation-check': { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (e) {
    return fail(io, `${(e as Error).message}\n${USAGE}`);
  }
  const dataDir = (values.data as string | undefined) ?? defaultDataDir(io.env);

  if (sub === 'credentials') {
    let creds;
    try {
      await ensureDataDir(dataDir);
      creds = await loadCredentials(dataDir);
    } catch (e) {
      return fail(io, `cannot read store credentials in ${dataDir}: ${(e as Error).message}`);
    }
    if (values.json) {
      io.stdout(JSON.stringify({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, accountId: creds.accountId, dataDir }) + '\n');
    } else {
      io.stdout(`AWS_ACCESS_KEY_ID=${creds.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}\n# account ${creds.accountId}, data dir ${dataDir}\n`);
    }
    return 0;
  }

  if (sub !== 'serve') return fail(io, `unknown subcommand "${sub}"\n${USAGE}`);
  if (running) return fail(io, 'a store is already being served by this process');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(io, `--port must be an integer 0-65535, got "${values.port}"`);
  const check = values['rotation-check'] === undefined ? 60 : Number(values['rotation-check']);
  if (!Number.isFinite(check) || check < 0) return fail(io, `--rotation-check must be a number of seconds, got "${values['rotation-check']}"`);
  const region = (values.region as string | undefined) ?? io.env.LEAKFIX_STORE_REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return fail(io, `--region "${region}" is not an AWS region name`);

  let store: RunningStore;
  try {
    store = await startStore({
      port,
      host: (values.host as string | undefined) ?? '127.0.0.1',
      dataDir,
      region,
      env: io.env,
      rotationCheckSeconds: check,
      log: (line) => io.stderr(`leakfix store: ${line}\n`),
    });
  } catch (e) {
    return fail(io, (e as Error).message);
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const close = store.close;
  store.close = () => close().then(resolveDone);
  running = { store, done };
  io.stdout(
    `leakfix store listening on ${store.url} (region ${store.region}, data ${dataDir})\n` +
      `  export AWS_ENDPOINT_URL_SECRETS_MANAGER=${store.url} AWS_REGION=${store.region}\n` +
      `  credentials: leakfix store credentials${values.data ? ` --data ${dataDir}` : ''}\n`,
  );
  await done;
  running = undefined;
  return 0;
}
