// Files leakfix finds relative to its package (src/package-root.ts), from tsc's output and from
// the bundled CLI alike: the worker threads, bin/ for the hook, rules/, package.json. A worker
// file that is not found makes scans fall back to one thread without a word, so this checks
// that every path the code asks for exists in the build the tests run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, packageFile } from '../../src/package-root.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/builtin-dir.js';
import { ROOT } from '../helpers/cli.js';

describe('package root', () => {
  it('is the repository root, with the rules next to it', () => {
    expect(join(PACKAGE_ROOT, '/')).toBe(ROOT);
    expect(BUILTIN_RULES_DIR).toBe(join(ROOT, 'rules'));
    expect(JSON.parse(readFileSync(packageFile('package.json'), 'utf8')).name).toBe('leakfix');
  });

  it('holds every file the sources ask packageFile() for', () => {
    const asked = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/packageFile\('([^']+)'\)/g)) asked.add(m[1]);
      }
    };
    walk(join(ROOT, 'src'));
    expect([...asked].sort()).toEqual(['bin/leakfix.js', 'dist/chunk-worker.js', 'dist/scan-worker.js', 'package.json']);
    for (const path of asked) expect(existsSync(packageFile(path)), path).toBe(true);
  });

  it('is found the same way from the bundled CLI: its chunks sit in dist/, not beside the modules', () => {
    // The bundle is what `npm run build` ships (scripts/bundle-cli.mjs); a chunk holding
    // package-root.ts must be there, and the CLI must run from it.
    const shared = readdirSync(join(ROOT, 'dist')).filter((f) => /^shared-[A-Z0-9]+\.js$/.test(f));
    expect(shared.length).toBeGreaterThan(0);
    expect(readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8')).toMatch(/from "\.\/shared-[A-Z0-9]+\.js"/);
  });
});
