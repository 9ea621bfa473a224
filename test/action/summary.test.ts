// The Markdown summary is pure: findings in, text out. What the scanned code controls (paths,
// lines) cannot break the table or inject markup into a job summary or PR comment.
import { describe, expect, it } from 'vitest';
import { toSummary } from '../../src/report/summary.js';
import { reporters } from '../../src/report/index.js';
import { ruleInfoMap } from '../../src/report/context.js';
import { redact } from '../../src/detect/redact.js';
import { detect } from '../core/helpers.js';
import { fakeGithubToken } from '../helpers/tokens.js';

const gh = fakeGithubToken(901);
const ctx = { version: '0.0.0', showSecrets: false, color: false, rules: ruleInfoMap([]), notes: [] };

describe('summary', () => {
  it('escapes paths: pipes, HTML, backticks and newlines stay inside their cell', () => {
    const path = 'evil|<img src=x onerror=alert(1)>`x`\n.env';
    const findings = detect(`TOKEN=${gh}\n`, path);
    expect(findings.map((f) => [f.line, f.column, f.endColumn])).toEqual([[1, 7, 47]]);
    const md = toSummary(findings, { ...ctx, repoUrl: 'https://github.com/o/r', ref: 'abc' });
    const row = md.split('\n').find((l) => l.startsWith('| 🔴'))!;
    expect(row).toBe(
      `| 🔴 critical | <code>${redact(gh)}</code> | <a href="https://github.com/o/r/blob/abc/evil%7C%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%60x%60%0A.env#L1"><code>evil&#124;&lt;img src=x onerror=alert(1)&gt;&#96;x&#96; .env:1:7</code></a> | GitHub personal access token (classic)<br><code>github.pat-classic</code> |`,
    );
    expect(row.split(' | ')).toHaveLength(4);
    expect(md).not.toContain(gh);
  });

  it('caps the rows and is the CLI\'s summary format', () => {
    const findings = detect(Array.from({ length: 5 }, (_, i) => `T${i}=${fakeGithubToken(910 + i)}`).join('\n'), 'a.env');
    const md = toSummary(findings, { ...ctx, maxRows: 2, title: 'T', scope: 'scope', baselined: 3, footer: ['done'], notes: ['a note'] });
    expect(md.split('\n').filter((l) => l.startsWith('| 🔴'))).toHaveLength(2);
    expect(md).toContain('**5 secrets found** (3 more accepted by the baseline): 🔴 5 critical');
    expect(md).toContain('…and 3 more: see the annotations or the SARIF report.');
    expect(md).toMatch(/<\/details>\n\ndone\n\n<details><summary>Notes<\/summary>\n\n- a note\n\n<\/details>\n$/);
    expect(reporters.summary).toBe(toSummary);
    expect(toSummary([], ctx)).toBe('## leakfix\n\n✅ No secrets found.\n');
  });
});
