// dist/action.js is committed (a GitHub runner runs it as is): it must be what src/ builds today,
// and it must run without node_modules (the runner has none next to the action).
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

describe('dist/action.js', () => {
  it('is up to date with src/ (rebuild: npm run build:action)', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'leakfix-bundle-')), 'action.js');
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-action.mjs'), fresh], { cwd: ROOT, stdio: 'pipe' });
    const committed = readFileSync(join(ROOT, 'dist/action.js'));
    const rebuilt = readFileSync(fresh);
    rmSync(dirname(fresh), { recursive: true, force: true });
    // Compare sizes first for a readable failure, then the bytes.
    expect({ size: committed.length, stale: !committed.equals(rebuilt) }, 'dist/action.js is stale: run npm run build:action and commit it').toEqual({ size: rebuilt.length, stale: false });
  });

  it('is tracked by git despite dist/ being ignored', () => {
    expect(execFileSync('git', ['ls-files', 'dist/action.js'], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe('dist/action.js');
    // Exit status 1: not ignored, so a rebuilt bundle shows up in git status.
    expect(spawnSync('git', ['check-ignore', '--no-index', '-q', 'dist/action.js'], { cwd: ROOT }).status).toBe(1);
  });

  it('action.yml runs it on node20', () => {
    const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    expect(yml).toMatch(/^runs:\n {2}using: node20\n {2}main: dist\/action\.js$/m);
  });
});
