// Format checks that a regex cannot express: checksums and structured encodings.
// Each validator answers "could this be a real credential of that format?".

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/** GitHub and npm tokens: prefix_ + 30 random chars + 6-char base62 CRC32 of the random part. */
export function crc32Base62(token: string): boolean {
  const body = token.slice(token.lastIndexOf('_') + 1);
  if (body.length < 7) return false;
  const payload = body.slice(0, -6);
  return base62(crc32(payload), 6) === body.slice(-6);
}

function decodeJsonPart(part: string): unknown {
  try {
    const text = Buffer.from(part, 'base64url').toString('utf8');
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JWT whose header and payload are JSON objects and whose header names a real algorithm. */
export function jwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length < 2) return false;
  const header = decodeJsonPart(parts[0]);
  const payload = decodeJsonPart(parts[1]);
  if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object') return false;
  const alg = (header as { alg?: unknown }).alg;
  return typeof alg === 'string' && alg.toLowerCase() !== 'none';
}

export function isBase64(value: string): boolean {
  const clean = value.replace(/\\n|\s/g, '');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(clean) && clean.length % 4 !== 1;
}

export const validators: Record<string, (secret: string) => boolean> = {
  'crc32-base62': crc32Base62,
  jwt,
  base64: isBase64,
};
