import { createRequire } from 'node:module';
// Parsing the built-in YAML (rules, sinks) costs more than a whole pre-commit scan, so parsed
// files are kept as JSON keyed by path, size and mtime. The cache only saves time: any failure to
// read or write it falls back to parsing, and parse errors are never cached.
import { readFileSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../fsutil.js';

const CACHE_FILE = join(tmpdir(), `leakfix-yaml-${userInfo().uid}-v1.json`);
let cache: Record<string, { sig: string; data: unknown }> | undefined;

export function readYamlCached<T>(file: string, parse: () => T): T {
  let sig: string;
  try {
    const st = statSync(file);
    sig = `${st.size}:${st.mtimeMs}`;
  } catch {
    return parse();
  }
  if (!cache) {
    try {
      cache = JSON.parse(readFileSync(CACHE_FILE, 'utf8'));
    } catch {
      cache = {};
    }
  }
  const hit = cache![file];
  if (hit && hit.sig === sig) return hit.data as T;
  const data = parse();
  cache![file] = { sig, data };
  try {
    writeFileAtomic(CACHE_FILE, JSON.stringify(cache));
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
