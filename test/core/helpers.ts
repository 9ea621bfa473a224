// Shared pieces of the core tests: the built-in engine, temp trees and generated fake tokens.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { createEngine, detectChunk, type Engine } from '../../src/detect/engine.js';
import { loadRules } from '../../src/rules/load.js';
import { fakeString } from '../helpers/tokens.js';
import type { Finding } from '../../src/types.js';

let builtin: Engine | undefined;
export function builtinEngine(): Engine {
  return (builtin ??= createEngine(loadRules()));
}

export function detect(text: string | Buffer, path = 'example.txt', engine = builtinEngine()): Finding[] {
  const chunk = typeof text === 'string' ? { path, text, origin: { kind: 'file' as const } } : { path, bytes: text, origin: { kind: 'file' as const } };
  return detectChunk(engine, chunk);
}

/** The span fields a test asserts, in one comparable object. */
export function span(f: Finding) {
  return { ruleId: f.ruleId, range: f.range, byteRange: f.byteRange, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn };
}

/** A temp directory removed after the test file; files given as {relative path: content}. */
export function tempTree(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'leakfix-core-'));
  created.push(dir);
  writeTree(dir, files);
  return dir;
}
const created: string[] = [];
afterAll(() => {
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** A Stripe live secret key shape with a generated body (never a real key). */
export function fakeStripeKey(seed: number): string {
  return `sk_live_${fakeString(seed, 32)}`;
}

/** A Slack bot token shape with generated digits and body. */
export function fakeSlackBotToken(seed: number): string {
  return `xoxb-${fakeString(seed, 11, '0123456789')}-${fakeString(seed + 1, 12, '0123456789')}-${fakeString(seed + 2, 24)}`;
}
