// Generated, obviously fake credentials for tests: right shape, never real.
import { base62, crc32 } from '../../src/detect/validators.js';

/** Deterministic pseudo-random string over an alphabet (mulberry32). */
export function fakeString(seed: number, length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let t = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    out += alphabet[((r ^ (r >>> 14)) >>> 0) % alphabet.length];
  }
  return out;
}

/** A GitHub classic token with a valid checksum; the body says FAKE. */
export function fakeGithubToken(seed: number, prefix = 'ghp_'): string {
  const body = `FAKE${fakeString(seed, 26)}`;
  return `${prefix}${body}${base62(crc32(body), 6)}`;
}

export function fakeAwsKeyId(seed: number): string {
  return `AKIA${fakeString(seed, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
}
