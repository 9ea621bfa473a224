// Names: environment variables, Secrets Manager secret names, idempotency tokens, tag values.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UserError } from '../errors.js';

/** `dbConfig.apiKey` / `db-config` / `DB_PASSWORD` → `DB_CONFIG_API_KEY`-style names. */
export function upperSnake(...parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => Boolean(p))
    .map((p) =>
      p
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
        .replace(/[^A-Za-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '')
        .toUpperCase(),
    )
    .filter(Boolean)
    .join('_')
    .replace(/^(\d)/, '_$1');
}

/** A readable, valid secret-name segment for the repository (directory name). */
export function repoSegment(root: string): string {
  return (basename(root) || 'repo').replace(/[^A-Za-z0-9_+=.@-]+/g, '-').replace(/^-+|-+$/g, '') || 'repo';
}

// Secrets Manager: 1-512 characters of letters, digits and /_+=.@-; a name ending in a hyphen
// and six characters reads like an ARN suffix, so leakfix never makes one.
const NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export function checkPrefix(prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  if (!p || !NAME_RE.test(p)) throw new UserError(`--prefix ${JSON.stringify(prefix)}: use letters, digits and / _ + = . @ -`);
  return p;
}

export function secretName(prefix: string, repo: string, name: string): string {
  let full = `${prefix}/${repo}/${name}`;
  if (/-[A-Za-z0-9]{6}$/.test(full)) full += '_';
  if (!NAME_RE.test(full)) throw new UserError(`secret name ${JSON.stringify(full)} is not valid in Secrets Manager`);
  return full;
}

/** A UUID-shaped ClientRequestToken from name and value: the same pair always makes the same version. */
export function requestToken(name: string, value: string): string {
  const h = createHash('sha256').update(name).update('\0').update(value).digest('hex');
  // Version 4 / variant bits set so tools that check UUID shape accept it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Tag values allow letters, digits, spaces and _ . : / = + - @ and at most 256 characters. */
export function tagValue(s: string): string {
  const clean = s.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_');
  return clean.length > 256 ? `${clean.slice(0, 255)}…`.replace(/…$/, '+') : clean;
}

export function parseTags(specs: string[]): { Key: string; Value: string }[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UserError(`--tag ${JSON.stringify(spec)}: use --tag key=value`);
    const Key = spec.slice(0, eq);
    const Value = spec.slice(eq + 1);
    if (Key.length > 128 || Value.length > 256) throw new UserError(`--tag ${JSON.stringify(Key)}: keys are at most 128 characters, values 256`);
    return { Key, Value };
  });
}

export function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}
