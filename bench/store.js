// Store benchmark: GetSecretValue and PutSecretValue requests per second on loopback, through
// the real AWS SDK client against the compiled store (run `npm run build` first).
//   node bench/store.js [--seconds N] [--concurrency N]
// The store runs in its own process (as `leakfix store serve` would), so the SDK client's CPU
// time is not charged to the server. The main bench runner can import { benchStore }.
import { SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';

async function measure(seconds, concurrency, op) {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async (w) => {
    for (let i = 0; performance.now() < end; i++) {
      await op(w, i);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return done / ((performance.now() - start) / 1000);
}

export async function benchStore({ seconds = 3, concurrency = 16, dataDir } = {}) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'leakfix-bench-store-')));
  const serverUrl = new URL('../dist/store/server.js', import.meta.url).href;
  const script = `const { startStore } = await import(${JSON.stringify(serverUrl)});
const s = await startStore({ port: 0, dataDir: ${JSON.stringify(dir)} });
process.stdout.write(JSON.stringify({ url: s.url, region: s.region, credentials: s.credentials }) + '\\n');
process.stdin.on('end', async () => { await s.close(); process.exit(0); });
process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const store = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    child.on('exit', (code) => reject(new Error(`store process exited with ${code}`)));
  });
  const sm = new SecretsManagerClient({ endpoint: store.url, region: store.region, credentials: store.credentials });
  try {
    await sm.send(new CreateSecretCommand({ Name: 'bench/get', SecretString: 'x'.repeat(64) }));
    await sm.send(new CreateSecretCommand({ Name: 'bench/put', SecretString: 'x'.repeat(64) }));
    // warm up connections and JIT
    await measure(0.3, concurrency, () => sm.send(new GetSecretValueCommand({ SecretId: 'bench/get' })));
    const getPerSecond = await measure(seconds, concurrency, () => sm.send(new GetSecretValueCommand({ SecretId: 'bench/get' })));
    const putPerSecond = await measure(seconds, concurrency, (w, i) =>
      sm.send(new PutSecretValueCommand({ SecretId: 'bench/put', SecretString: `value-${w}-${i}` })),
    );
    return { getPerSecond, putPerSecond, concurrency, seconds };
  } finally {
    sm.destroy();
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    if (!dataDir) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, concurrency: { type: 'string' }, data: { type: 'string' } } });
  const r = await benchStore({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
    dataDir: values.data,
  });
  console.log(`store GetSecretValue: ${Math.round(r.getPerSecond)} req/s (SDK client, loopback, concurrency ${r.concurrency})`);
  console.log(`store PutSecretValue: ${Math.round(r.putPerSecond)} req/s (fsync per write, concurrency ${r.concurrency})`);
}
