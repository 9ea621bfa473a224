// Envelope encryption: every secret version gets a fresh 256-bit data key; the value is sealed
// with AES-256-GCM under that key and the key is itself sealed under the master key, which lives
// in its own file. The AAD binds a sealed value to its secret and version, so ciphertexts cannot
// be swapped between records without detection.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export type Sealed = { k: string; v: string }; // wrapped data key, sealed value (base64 iv|tag|ct)

export class TamperError extends Error {}

function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

function gcmOpen(key: Buffer, sealed: string, aad: Buffer): Buffer {
  const buf = Buffer.from(sealed, 'base64');
  if (buf.length < 28) throw new TamperError('sealed value is truncated');
  const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(buf.subarray(12, 28));
  try {
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]);
  } catch {
    throw new TamperError('authentication tag mismatch');
  }
}

export function seal(master: Buffer, plain: Buffer, context: string): Sealed {
  const dataKey = randomBytes(32);
  const aad = Buffer.from(context);
  const out = { k: gcmSeal(master, dataKey, Buffer.from('key:' + context)), v: gcmSeal(dataKey, plain, aad) };
  dataKey.fill(0);
  return out;
}

export function open(master: Buffer, sealed: Sealed, context: string): Buffer {
  const dataKey = gcmOpen(master, sealed.k, Buffer.from('key:' + context));
  try {
    return gcmOpen(dataKey, sealed.v, Buffer.from(context));
  } finally {
    dataKey.fill(0);
  }
}
