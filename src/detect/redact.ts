import { createHash } from 'node:crypto';

/** Shows enough of a secret to recognise it, never enough to use it. */
export function redact(secret: string): string {
  const pem = /^-----BEGIN [A-Z0-9 ]+-----/.exec(secret);
  if (pem) return `${pem[0]}…`;
  const chars = [...secret];
  if (chars.length >= 16) return `${chars.slice(0, 4).join('')}…${chars.slice(-4).join('')}`;
  if (chars.length >= 10) return `${chars.slice(0, 2).join('')}…${chars.slice(-1).join('')}`;
  return `${chars.slice(0, 1).join('')}…`;
}

/** Replaces every occurrence of the secret in a line with its redacted form. */
export function redactLine(line: string, secret: string): string {
  const firstLine = secret.split('\n')[0];
  if (!firstLine) return line;
  return line.split(firstLine).join(redact(secret));
}

/** Content-keyed: survives the secret's line moving; never reveals the secret. */
export function fingerprint(ruleId: string, path: string, secret: string): string {
  return createHash('sha256').update(`${ruleId}\0${path}\0${secret}`).digest('hex').slice(0, 40);
}
