// Start-up caches in the temp dir (parsed built-in YAML, the keyword automaton) only save time:
// a file another user put there (the temp dir may be shared) is never read, so nobody can hide
// secrets from a scan by planting an empty rule file.
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { yamlCacheFile } from '../../src/rules/yaml-cache.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/builtin-dir.js';
import { leakfix } from '../helpers/cli.js';
import { fakeGithubToken } from '../helpers/tokens.js';

const temp = mkdtempSync(join(tmpdir(), 'leakfix-caches-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('parsed-YAML cache', () => {
  const dir = mkdtempSync(join(temp, 'scan-'));
  writeFileSync(join(dir, 'app.py'), `token = "${fakeGithubToken(7)}"\n`);
  const scan = (env: NodeJS.ProcessEnv) => {
    const r = leakfix(['scan', '.', '-f', 'json'], { cwd: dir, env });
    return { code: r.code, findings: JSON.stringify(JSON.parse(r.stdout).findings) };
  };

  it('is written on the first run and gives the same findings on the next', () => {
    const env = { TMPDIR: mkdtempSync(join(temp, 'tmp-')) };
    const first = scan(env);
    expect(first.code).toBe(1);
    const file = yamlCacheFile(env.TMPDIR);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toContain(join(BUILTIN_RULES_DIR, 'github.yaml'));
    expect(first.findings).toContain('github.pat-classic');
    expect(scan(env)).toEqual(first);
  });

  it.runIf(process.getuid?.() === 0)("ignores a cache file owned by another user, even one that matches the rule files", () => {
    const env = { TMPDIR: mkdtempSync(join(temp, 'tmp-')) };
    const honest = scan(env);
    const file = yamlCacheFile(env.TMPDIR);
    // The same entries with every rule file emptied: trusted, it would find nothing.
    const planted = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { sig: string; data: unknown }>;
    for (const entry of Object.values(planted)) if (Array.isArray(entry.data)) entry.data = [];
    writeFileSync(file, JSON.stringify(planted));
    chownSync(file, 4242, 4242);
    expect(honest.findings).toContain('github.pat-classic');
    expect(scan(env)).toEqual(honest);
    expect(statSync(file).uid).toBe(0); // replaced by this user's own
  });
});
