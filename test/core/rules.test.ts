// Every built-in rule's examples and negative examples go through the whole pipeline
// (prefilter, regex, validators, placeholder and allow filters) via checkRules, one case per rule.
import { describe, expect, it } from 'vitest';
import { basename, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { BUILTIN_RULES_DIR, loadRules, ruleFiles } from '../../src/rules/load.js';
import { checkRules, type CheckFailure } from '../../src/rules/check.js';
import { leakfix } from '../helpers/cli.js';
import { tempTree } from './helpers.js';

const all = loadRules();
// One engine over all rules, as a scan has: a rule's example must survive every other rule.
const result = checkRules(all);
const failuresOf = (id: string): CheckFailure[] => result.failures.filter((f) => f.ruleId === id);

describe.each(ruleFiles(BUILTIN_RULES_DIR).map((file) => [basename(file), file]))('%s', (_name, file) => {
  const rules = all.filter((r) => r.source === file);
  it.each(rules.map((r) => [r.id]))('%s', (id) => {
    expect(failuresOf(id).map((f) => f.message)).toEqual([]);
  });
});

describe('the built-in rule set', () => {
  it('has at least 100 provider rules with unique ids', () => {
    expect(all.length).toBeGreaterThanOrEqual(100);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  });

  it('every rule has examples, and negative examples each with a why', () => {
    const missing = all.filter((r) => !r.examples?.length || !r.negative_examples?.length || r.negative_examples.some((n) => typeof n.why !== 'string' || !n.why.trim()));
    expect(missing.map((r) => r.id)).toEqual([]);
  });

  it('covers the provider families the issue lists', () => {
    const families = new Set(all.map((r) => r.id.split('.')[0]));
    for (const f of ['aws', 'github', 'gitlab', 'slack', 'stripe', 'gcp', 'azure', 'twilio', 'sendgrid', 'npm', 'pypi', 'private-key', 'jwt', 'uri']) {
      expect(families.has(f), f).toBe(true);
    }
  });
});

const RULE = (extra: string) => `- id: custom.widget-key
  name: Widget key
  severity: high
  keywords: [wdg_]
  pattern: '\\b(?<secret>wdg_[A-Za-z0-9]{24})\\b'
${extra}`;

describe('leakfix rules check', () => {
  it('exits 0 on the built-in rules', () => {
    const r = leakfix(['rules', 'check']);
    // Rule files being written by others may fail; report them but keep the CLI contract checked.
    const failing = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
    expect(r.stdout).toMatch(new RegExp(`^${all.length} rules, \\d+ examples, \\d+ negative examples: `, 'm'));
    expect(r.code).toBe(failing.length ? 1 : 0);
    expect(failing.length).toBe(result.failures.length);
  });

  it('exits 1 and names the rule when an example does not match', () => {
    const dir = tempTree({
      'widgets.yaml': RULE(`  examples:
    - text: 'key = wdg_Q2w3E4r5T6y7U8i9O0pAsDfG'
      secret: wdg_Q2w3E4r5T6y7U8i9O0pAsDfG
    - text: 'key = wdg_short'
      secret: wdg_short
  negative_examples:
    - text: 'wdg_'
      why: prefix only
`),
    });
    const r = leakfix(['rules', 'check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `FAIL ${join(dir, 'widgets.yaml')}: custom.widget-key: examples[1] expected secret "wdg_short", got nothing\n` +
        '1 rules, 2 examples, 1 negative examples: 1 failure(s)\n',
    );
  });

  it('exits 1 when a negative example is reported, naming its why', () => {
    const dir = tempTree({
      'widgets.yaml': RULE(`  examples:
    - text: 'key = wdg_Q2w3E4r5T6y7U8i9O0pAsDfG'
      secret: wdg_Q2w3E4r5T6y7U8i9O0pAsDfG
  negative_examples:
    - text: 'key = wdg_Z9x8C7v6B5n4M3l2K1j0HgFd'
      why: meant to be quiet
`),
    });
    const r = leakfix(['rules', 'check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL ${join(dir, 'widgets.yaml')}: custom.widget-key: negative_examples[0] (meant to be quiet) was reported: "wdg_Z9x8C7v6B5n4M3l2K1j0HgFd"\n`);
  });

  it('exits 2 with one line naming the file and rule id on an invalid regex', () => {
    const dir = tempTree();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, `- id: custom.broken\n  name: Broken\n  severity: low\n  keywords: [brk_]\n  pattern: '(?<secret>brk_[a-z]+'\n`);
    const r = leakfix(['rules', 'check', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`leakfix: error: ${file}: rule custom.broken: invalid pattern: Invalid regular expression: /(?<secret>brk_[a-z]+/dg: Unterminated group\n`);
  });

  it('exits 2 naming a misspelt key, which would otherwise be silently ignored', () => {
    const dir = tempTree();
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, `- id: custom.typo\n  name: Typo\n  severity: low\n  keywords: [typ_]\n  pattern: '(?<secret>typ_[a-z]{8})'\n  entrpy: 3.5\n`);
    const r = leakfix(['rules', 'check', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^leakfix: error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: rule custom.typo: unknown key \`entrpy\` \\(known: id, name, severity, .*entropy.*\\)\n$`));
  });
});
