import { createRequire } from 'node:module';
// Parsing the built-in YAML (rules, sinks) costs more than a whole pre-commit scan, so parsed
// files are kept as JSON keyed by path, size and mtime. The cache only saves time: any failure to
// read or write it falls back to parsing, and parse errors are never cached.
import { statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILTIN_RULES_DIR } from './builtin-dir.js';
import { createHash } from 'node:crypto';
import { readOwnFile, writeFileAtomic } from '../fsutil.js';

// Only the built-in files are cached (user rule files change freely and would pile up), in one
// cache file per installation directory.
export const yamlCacheFile = (dir = tmpdir()) => join(dir, `leakfix-yaml-${userInfo().uid}-${createHash('sha256').update(BUILTIN_RULES_DIR).digest('hex').slice(0, 12)}-v2.json`);
const CACHE_FILE = yamlCacheFile();
let cache: Record<string, { sig: string; data: unknown }> | undefined;

export function readYamlCached<T>(file: string, parse: () => T): T {
  if (dirname(file) !== BUILTIN_RULES_DIR) return parse();
  let sig: string;
  try {
    const st = statSync(file);
    sig = `${st.size}:${st.mtimeMs}`;
  } catch {
    return parse();
  }
  if (!cache) {
    try {
      // Only a file of this user's (readOwnFile): planted rules could hide secrets from a scan.
      cache = JSON.parse(readOwnFile(CACHE_FILE)?.toString('utf8') ?? '{}');
    } catch {
      cache = {};
    }
  }
  const hit = cache![file];
  if (hit && hit.sig === sig) return hit.data as T;
  const data = parse();
  cache![file] = { sig, data };
  try {
    writeFileAtomic(CACHE_FILE, JSON.stringify(cache), 0o600);
  } catch {
    /* a read-only temp dir only costs speed */
  }
  return data;
}

// The yaml package takes longer to load than a pre-commit scan takes to run; load it on first use.
const require = createRequire(import.meta.url);
let yamlParse: ((text: string) => unknown) | undefined;

export function parseYaml(text: string): unknown {
  yamlParse ??= (require('yaml') as typeof import('yaml')).parse;
  return yamlParse(text);
}
