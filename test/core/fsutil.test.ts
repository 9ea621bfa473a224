import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/fsutil.js';
import { tempDir } from '../helpers/temp.js';

describe('writeFileAtomic', () => {
  const dir = tempDir('fsutil');

  it('keeps the permissions of the file it replaces (an executable hook stays executable)', () => {
    const hook = join(dir, 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\n', { mode: 0o755 });
    writeFileAtomic(hook, '#!/bin/sh\nleakfix scan --staged\n');
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\nleakfix scan --staged\n');
    expect(statSync(hook).mode & 0o777).toBe(0o755);
  });

  it('applies an explicit mode exactly and leaves no temporary file behind', () => {
    const secretFile = join(dir, 'journal.json');
    writeFileAtomic(secretFile, '{}', 0o600);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
