// TypeScript's compiler is one 9 MB script that V8 takes ~150 ms to compile on every scan that
// parses. V8 can keep compiled code: the first scan saves it (after its first parse, so functions
// compiled lazily while parsing are in it) and later scans load typescript.js from it. Only a
// cache: any failure means a plain require, and V8 itself rejects a cache that does not match the
// script, the V8 version or its flags.
import { createRequire, Module } from 'node:module';
import { Script } from 'node:vm';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { isAscii } from 'node:buffer';
import { readOwnFile, writeFileAtomic } from '../../fsutil.js';

let unsaved: { script: Script; file: string } | undefined;

/**
 * The `typescript` module as `require` resolves it, loaded through the code cache and put in
 * require's module cache. Undefined when that is not possible (the action bundle's require
 * cannot resolve files): the caller then requires it plainly.
 */
export function loadTypeScriptCached(require: NodeJS.Require): unknown {
  try {
    const file = require.resolve('typescript');
    if (require.cache[file]) return require.cache[file]!.exports;
    // typescript.js is ASCII: a Latin-1 read gives the same string without UTF-8 decoding.
    const bytes = readFileSync(file);
    const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    // One cache per TypeScript install; V8 checks its own version and flags when loading.
    const key = createHash('sha256').update(`${file}\0${source.length}\0${statSync(file).mtimeMs}`).digest('hex').slice(0, 16);
    const cacheFile = join(tmpdir(), `leakfix-v8-${userInfo().uid}-typescript-${key}.bin`);
    const cachedData = readOwnFile(cacheFile);
    const script = new Script(Module.wrap(source), { filename: file, cachedData });
    const mod = new Module(file);
    mod.filename = file;
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    run.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
    mod.loaded = true;
    require.cache[file] = mod;
    if (!cachedData || script.cachedDataRejected) unsaved = { script, file: cacheFile };
    return mod.exports;
  } catch {
    return undefined;
  }
}

/** Saves the compiled code once, after the first parse; later calls do nothing. */
export function saveTypeScriptCache(): void {
  if (!unsaved) return;
  const { script, file } = unsaved;
  unsaved = undefined;
  try {
    writeFileAtomic(file, script.createCachedData(), 0o600);
  } catch {
    /* a read-only temp dir only costs speed */
  }
}
