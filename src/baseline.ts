// Baselines accept known findings. They hold fingerprints (hashes), never secrets.
import { readFileSync } from 'node:fs';
import { UserError } from './errors.js';
import type { Finding } from './types.js';

export interface Baseline {
  version: 1;
  tool: 'leakfix';
  findings: { fingerprint: string; ruleId: string; path: string; line: number }[];
}

export function toBaseline(findings: Finding[]): Baseline {
  return {
    version: 1,
    tool: 'leakfix',
    findings: findings.map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, path: f.path, line: f.line })),
  };
}

export function readBaseline(file: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read baseline: ${code === 'ENOENT' ? 'file not found' : code ?? (err as Error).message}`);
  }
  const list = (data as Baseline)?.findings;
  if (!Array.isArray(list) || list.some((f) => typeof f?.fingerprint !== 'string')) {
    throw new UserError(`${file}: not a leakfix baseline (expected {"findings": [{"fingerprint": …}]})`);
  }
  return new Set(list.map((f) => f.fingerprint));
}
