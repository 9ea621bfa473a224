// SARIF output validates against the official OASIS SARIF 2.1.0 schema (draft-04, via ajv),
// has one rule per rule id used, partial fingerprints, exact regions and no unredacted secret.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { leakfix } from '../helpers/cli.js';
import { fakeGithubToken } from '../helpers/tokens.js';
import { fakeStripeKey, tempTree } from './helpers.js';
import { redact } from '../../src/detect/redact.js';

// ajv-draft-04 and ajv-formats are CommonJS; createRequire keeps their types simple under NodeNext.
const require = createRequire(import.meta.url);
const Ajv04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const schema = JSON.parse(readFileSync(new URL('../schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
const ajv = new Ajv04({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const gh = fakeGithubToken(51);
const gh2 = fakeGithubToken(52);
const stripe = fakeStripeKey(53);

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  snippet: { text: string };
}

function sarifOf(files: Record<string, string | Buffer>, ...args: string[]) {
  const r = leakfix(['scan', '.', '-f', 'sarif', ...args], { cwd: tempTree(files) });
  return { code: r.code, text: r.stdout, log: JSON.parse(r.stdout) };
}

const files = {
  'src/app.js': `const a = 1;\nconst token = "${gh}";\nconst again = "${gh2}";\n`,
  'config/prod.env': `STRIPE=${stripe}\nDB_PASSWORD=Summer2024!\n`,
  'dir with space/ünïcode.txt': `é ${gh}\n`,
};

describe('SARIF', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    const { code, log } = sarifOf(files);
    expect(code).toBe(1);
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('an empty run validates too', () => {
    const { code, log } = sarifOf({ 'a.txt': 'nothing\n' });
    expect(code).toBe(0);
    expect(validate(log)).toBe(true);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toEqual([]);
  });

  it('the schema rejects a broken log (the validator really checks)', () => {
    const { log } = sarifOf(files);
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
  });

  it('one rule per rule id used, referenced by index', () => {
    const { log } = sarifOf(files);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['generic.password', 'github.pat-classic', 'stripe.secret-key']);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['stripe.secret-key', 'generic.password', 'github.pat-classic', 'github.pat-classic', 'github.pat-classic']);
    expect(run.columnKind).toBe('utf16CodeUnits');
  });

  it('partialFingerprints on every result, distinct per secret', () => {
    const { log } = sarifOf(files);
    const prints = log.runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints['leakfix/v1']);
    expect(prints.every((p: string) => /^[0-9a-f]{40}$/.test(p))).toBe(true);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it("regions cover the secret's exact span; URIs are encoded", () => {
    const { log } = sarifOf(files);
    const rows = log.runs[0].results.map((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: Region } }[] }) => {
      const { artifactLocation, region } = r.locations[0].physicalLocation;
      return [artifactLocation.uri, region.startLine, region.startColumn, region.endLine, region.endColumn, region.snippet.text];
    });
    expect(rows).toEqual([
      ['config/prod.env', 1, 8, 1, 48, `STRIPE=${redact(stripe)}`],
      ['config/prod.env', 2, 13, 2, 24, 'DB_PASSWORD=Su…!'],
      ['dir%20with%20space/%C3%BCn%C3%AFcode.txt', 1, 3, 1, 43, `é ${redact(gh)}`],
      ['src/app.js', 2, 16, 2, 56, `const token = "${redact(gh)}";`],
      ['src/app.js', 3, 16, 3, 56, `const again = "${redact(gh2)}";`],
    ]);
  });

  it('no unredacted secret anywhere in the document; --show-secrets puts them back', () => {
    const { text } = sarifOf(files);
    for (const secret of [gh, gh2, stripe, 'Summer2024!', gh.slice(4, 24), stripe.slice(8, 28)]) expect(text).not.toContain(secret);
    expect(text).toContain(redact(gh));
    const shown = sarifOf(files, '--show-secrets');
    expect(validate(shown.log)).toBe(true);
    expect(shown.text).toContain(gh);
  });
});
