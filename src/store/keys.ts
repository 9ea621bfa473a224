// The store's own identity: SigV4 credentials, account id and master key, created on first start
// with 0600 permissions. The master key is a separate file so the journal alone reveals nothing.
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, readFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { files } from './paths.js';

export type StoreCredentials = { accessKeyId: string; secretAccessKey: string; accountId: string };

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

// Create-exclusive so two processes starting at once agree on one file.
async function readOrCreate(path: string, make: () => Buffer): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  try {
    const fh = await open(path, 'wx', 0o600);
    const data = make();
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    await chmod(path, 0o600);
    return data;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFile(path);
    throw e;
  }
}

export async function loadCredentials(dir: string): Promise<StoreCredentials> {
  const path = join(dir, files.credentials);
  const raw = await readOrCreate(path, () => {
    const id = 'LFIA' + Array.from(randomBytes(16), (b) => BASE32[b & 31]).join('');
    const creds: StoreCredentials = {
      accessKeyId: id,
      secretAccessKey: randomBytes(30).toString('base64'),
      accountId: String(randomInt(100000000000, 999999999999)),
    };
    return Buffer.from(JSON.stringify(creds, null, 2) + '\n');
  });
  let parsed: StoreCredentials;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error(`store credentials file ${path} is not valid JSON`);
  }
  if (!parsed.accessKeyId || !parsed.secretAccessKey || !/^\d{12}$/.test(parsed.accountId ?? '')) {
    throw new Error(`store credentials file ${path} is missing accessKeyId, secretAccessKey or accountId`);
  }
  return parsed;
}

export async function loadMasterKey(dir: string): Promise<Buffer> {
  const path = join(dir, files.masterKey);
  const raw = await readOrCreate(path, () => Buffer.from(randomBytes(32).toString('base64') + '\n'));
  const key = Buffer.from(raw.toString('utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`store master key file ${path} is not a base64 256-bit key`);
  return key;
}
