// The mapping file (.leakfix/secrets.json, committed): which environment variable reads which
// secret (and JSON key). No values: `leakfix run` and the app's own code fetch them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { StoreKind } from './store.js';

export const MAPPING_PATH = '.leakfix/secrets.json';

export interface Mapping {
  version: 1;
  /** Where the secrets live: the embedded local store or AWS. */
  store: StoreKind;
  region: string;
  /** The code calls the generated SDK helper, so `leakfix run` also points the SDK at the store. */
  sdk?: boolean;
  env: Record<string, { secretId: string; key?: string }>;
}

export function readMapping(file: string): Mapping | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Mapping;
    if (m.version !== 1 || typeof m.env !== 'object' || m.env === null) throw new Error('not a leakfix mapping (version 1)');
    return m;
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
}

export function mappingText(m: Mapping): string {
  const env = Object.fromEntries(Object.entries(m.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ ...m, env }, null, 2) + '\n';
}

/** The nearest mapping file at or above dir. */
export function findMapping(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const f = join(d, MAPPING_PATH);
    if (existsSync(f)) return f;
    if (dirname(d) === d) return undefined;
  }
}
