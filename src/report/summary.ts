// Markdown for a CI job summary or a pull-request comment: counts, a table of findings, how to
// fix them and how to allow false positives. Everything taken from the scanned code (paths, rule
// names, lines) is HTML-escaped inside <code>, so a file name cannot break the table or inject
// markup into a comment. Secrets are redacted unless --show-secrets.
import type { Finding } from '../types.js';
import { commitOf, shownSecret, type ReportContext } from './context.js';

export interface SummaryContext extends ReportContext {
  /** Heading; default "leakfix". */
  title?: string;
  /** One line saying what was scanned (e.g. "pull request #12: 3 commits, abc..def"). */
  scope?: string;
  /** Findings left out because a baseline accepts them. */
  baselined?: number;
  /** `https://github.com/owner/repo` and the commit to link files at, for clickable locations. */
  repoUrl?: string;
  ref?: string;
  /** At most this many table rows (GitHub caps a summary at 1 MiB and a comment at 65,536 chars). */
  maxRows?: number;
  /** Extra lines after the table (e.g. why the step failed). */
  footer?: string[];
}

const ICON: Record<string, string> = { critical: '🔴', high: '🟠', medium: '🟡', low: '🔵' };
const ORDER = ['critical', 'high', 'medium', 'low'];

function esc(s: string): string {
  return s
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\r?\n/g, ' ');
}

function code(s: string): string {
  return `<code>${esc(s)}</code>`;
}

function location(f: Finding, ctx: SummaryContext): string {
  const text = code(`${f.path}:${f.line}:${f.column}`);
  const ref = commitOf(f)?.sha ?? ctx.ref;
  if (!ctx.repoUrl || !ref) return text;
  const href = `${ctx.repoUrl}/blob/${ref}/${f.path.split('/').map(encodeURIComponent).join('/')}#L${f.line}`;
  return `<a href="${esc(href)}">${text}</a>`;
}

export function toSummary(findings: Finding[], ctx: SummaryContext): string {
  const out: string[] = [`## ${ctx.title ?? 'leakfix'}`, ''];
  if (ctx.scope) out.push(esc(ctx.scope), '');
  const baselined = ctx.baselined ? ` (${ctx.baselined} more accepted by the baseline)` : '';
  if (findings.length === 0) {
    out.push(`✅ No secrets found${baselined}.`, '');
  } else {
    const counts = ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
    out.push(`**${findings.length} secret${findings.length === 1 ? '' : 's'} found**${baselined}: ${counts.map(([s, n]) => `${ICON[s]} ${n} ${s}`).join(', ')}`, '');
    const shown = findings.slice(0, ctx.maxRows ?? 200);
    const withCommit = shown.some((f) => commitOf(f));
    out.push(`| Severity | Secret | Location | Rule |${withCommit ? ' Introduced in |' : ''}`);
    out.push(`| --- | --- | --- | --- |${withCommit ? ' --- |' : ''}`);
    for (const f of shown) {
      const commit = commitOf(f);
      const row = [`${ICON[f.severity] ?? ''} ${f.severity}`, code(shownSecret(f, ctx)), location(f, ctx), `${esc(f.ruleName)}<br>${code(f.ruleId)}`];
      if (withCommit) row.push(commit ? `${code(commit.sha.slice(0, 12))} ${esc(commit.author)}, ${esc(commit.date.slice(0, 10))}` : '');
      out.push(`| ${row.join(' | ')} |`);
    }
    if (shown.length < findings.length) out.push('', `…and ${findings.length - shown.length} more: see the annotations or the SARIF report.`);
    out.push('', ...howToFix(findings, ctx), '', ...howToAllow(), '');
  }
  if (ctx.footer?.length) out.push(...ctx.footer, '');
  if (ctx.notes.length) out.push('<details><summary>Notes</summary>', '', ...ctx.notes.map((n) => `- ${esc(n)}`), '', '</details>', '');
  return out.join('\n').replace(/\n+$/, '\n');
}

function howToFix(findings: Finding[], ctx: SummaryContext): string[] {
  const rules = new Map<string, string>();
  for (const f of findings) {
    const remediation = f.remediation ?? ctx.rules.get(f.ruleId)?.remediation;
    if (remediation && !rules.has(f.ruleId)) rules.set(f.ruleId, `- **${esc(f.ruleName)}**: ${esc(remediation)}`);
  }
  return [
    '### How to fix',
    '',
    '1. **Rotate the credential.** Once pushed it is in git history (and every clone and fork): deleting the line does not un-leak it.',
    '2. **Move it out of the code**: `npx leakfix fix` stores each secret in AWS Secrets Manager and rewrites the code to read it at run time; or read it from an environment variable set from your CI secret store.',
    ...(rules.size ? ['', ...rules.values()] : []),
  ];
}

function howToAllow(): string[] {
  return [
    '<details><summary>Not a secret? How to allow it</summary>',
    '',
    '- One line: add a `leakfix:allow` comment on that line.',
    '- Test fixtures or generated files: list them under `allow.paths` (or the value under `allow.values`) in `.leakfix.yaml`.',
    '- Known findings you accept for now: `npx leakfix baseline create -o .leakfix-baseline.json`, commit the file and set the action input `baseline: .leakfix-baseline.json`: only new findings are reported.',
    '',
    '</details>',
  ];
}
