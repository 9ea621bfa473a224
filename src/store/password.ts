// GetRandomPassword with Secrets Manager's options and defaults (32 chars, every class required).
import { randomInt } from 'node:crypto';
import { invalidParameter, validation } from './errors.js';

export type PasswordOptions = {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
};

const CLASSES = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  punct: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
};

export function randomPassword(o: PasswordOptions): string {
  const length = o.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    validation(`1 validation error detected: Value '${length}' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096`);
  }
  const excluded = new Set(o.ExcludeCharacters ?? '');
  const sets = [
    o.ExcludeLowercase ? '' : CLASSES.lower,
    o.ExcludeUppercase ? '' : CLASSES.upper,
    o.ExcludeNumbers ? '' : CLASSES.digits,
    o.ExcludePunctuation ? '' : CLASSES.punct,
    o.IncludeSpace ? CLASSES.space : '',
  ]
    .map((set) => [...set].filter((c) => !excluded.has(c)).join(''))
    .filter((set) => set.length > 0);
  const all = sets.join('');
  if (!all) invalidParameter('The password options exclude every character; no password can be generated.');
  const required = o.RequireEachIncludedType ?? true;
  if (required && sets.length > length) {
    invalidParameter(`PasswordLength ${length} is too short to include each of the ${sets.length} required character types.`);
  }
  const chars = required ? sets.map((set) => set[randomInt(set.length)]) : [];
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
