// `leakfix rules check`: validates rule files and runs every example and negative example
// through the whole detection pipeline (prefilter, regex, validators, filters), not just the regex.
import { createEngine, detectChunk } from '../detect/engine.js';
import { emptyConfig } from '../config/load.js';
import { filterPasses } from '../scan.js';
import { runPasses } from '../filter/index.js';
import type { Finding, Rule } from '../types.js';

export interface CheckFailure {
  source: string;
  ruleId: string;
  message: string;
}

export interface CheckResult {
  rules: number;
  examples: number;
  negatives: number;
  failures: CheckFailure[];
}

function runExample(engine: ReturnType<typeof createEngine>, text: string, path: string): Finding[] {
  const findings = detectChunk(engine, { path, text, origin: { kind: 'file' } });
  return runPasses(findings, filterPasses({ config: emptyConfig() }));
}

export function checkRules(rules: Rule[]): CheckResult {
  const engine = createEngine(rules);
  const result: CheckResult = { rules: rules.length, examples: 0, negatives: 0, failures: [] };
  const fail = (rule: Rule, message: string) => result.failures.push({ source: rule.source, ruleId: rule.id, message });
  for (const rule of rules) {
    if (!rule.examples?.length) fail(rule, 'has no examples');
    if (!rule.negative_examples?.length) fail(rule, 'has no negative_examples');
    for (const [i, ex] of (rule.examples ?? []).entries()) {
      result.examples++;
      if (typeof ex?.text !== 'string' || typeof ex.secret !== 'string') {
        fail(rule, `examples[${i}] needs text and secret`);
        continue;
      }
      const found = runExample(engine, ex.text, ex.path ?? 'example.txt').filter((f) => f.ruleId === rule.id);
      const exact = found.find((f) => f.secret === ex.secret && ex.text.slice(f.range[0], f.range[1]) === ex.secret);
      if (!exact) {
        const got = found.map((f) => JSON.stringify(f.secret)).join(', ') || 'nothing';
        fail(rule, `examples[${i}] expected secret ${JSON.stringify(ex.secret)}, got ${got}`);
      }
    }
    for (const [i, ex] of (rule.negative_examples ?? []).entries()) {
      result.negatives++;
      if (typeof ex?.text !== 'string' || typeof ex.why !== 'string' || !ex.why.trim()) {
        fail(rule, `negative_examples[${i}] needs text and a one-line why`);
        continue;
      }
      const found = runExample(engine, ex.text, ex.path ?? 'example.txt').filter((f) => f.ruleId === rule.id);
      if (found.length) fail(rule, `negative_examples[${i}] (${ex.why}) was reported: ${JSON.stringify(found[0].secret)}`);
    }
  }
  return result;
}
