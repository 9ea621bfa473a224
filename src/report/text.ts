import type { Finding } from '../types.js';
import { commitOf, shownSecret, type ReportContext } from './context.js';

const SEVERITY_COLOUR: Record<string, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m' };

export function toText(findings: Finding[], ctx: ReportContext): string {
  const c = (code: string, s: string) => (ctx.color ? `${code}${s}\x1b[0m` : s);
  // History scans group by secret: one leaked value, every place and commit that carried it.
  const lines: string[] = findings.some((f) => f.history?.stillPresent !== undefined) ? bySecret(findings, ctx, c) : [];
  let lastPath = '';
  for (const f of lines.length ? [] : findings) {
    if (f.path !== lastPath) {
      if (lastPath) lines.push('');
      lines.push(c('\x1b[1m', f.path));
      lastPath = f.path;
    }
    const commit = commitOf(f);
    const where = `${f.line}:${f.column}`;
    lines.push(`  ${where.padEnd(8)} ${c(SEVERITY_COLOUR[f.severity] ?? '', f.severity.padEnd(8))} ${f.ruleName} [${f.ruleId}]  ${shownSecret(f, ctx)}`);
    const shownLine = ctx.showSecrets ? f.lineText.replace(f.redacted, f.secret.split('\n')[0]) : f.lineText;
    lines.push(`           ${c('\x1b[2m', shownLine.trim())}`);
    if (commit) lines.push(`           commit ${commit.sha.slice(0, 12)} by ${commit.author} <${commit.email}> on ${commit.date.slice(0, 10)}: ${commit.subject}`);
    if (f.history?.stillPresent !== undefined) lines.push(`           ${f.history.stillPresent ? 'still present at HEAD' : 'no longer at HEAD (rotate it anyway: it is in history)'}`);
    if (f.flow?.length) lines.push(`           flow: ${f.flow.map((s) => `${s.name}@${s.line}:${s.column}`).join(' → ')}`);
    if (f.remediation) lines.push(`           fix: ${f.remediation}`);
  }
  const summary = findings.length === 0 ? 'No secrets found.' : `${findings.length} secret${findings.length === 1 ? '' : 's'} found in ${new Set(findings.map((f) => f.path)).size} file(s).`;
  if (lines.length) lines.push('');
  for (const n of ctx.notes) lines.push(c('\x1b[2m', `note: ${n}`));
  const stats = ctx.stats ? ` (${ctx.stats.files} files, ${(ctx.stats.bytes / 1048576).toFixed(1)} MB in ${ctx.stats.durationMs} ms)` : '';
  lines.push(summary + stats);
  return lines.join('\n') + '\n';
}

/** Text lines for history findings, grouped by (rule, secret), first introduction first. */
function bySecret(findings: Finding[], ctx: ReportContext, c: (code: string, s: string) => string): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.ruleId}\0${f.secret}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    const f = group[0];
    const present = group.some((g) => g.history?.stillPresent);
    const refs = [...new Set(group.flatMap((g) => g.history?.refs ?? []))].sort();
    if (lines.length) lines.push('');
    lines.push(`${c('\x1b[1m', shownSecret(f, ctx))}  ${c(SEVERITY_COLOUR[f.severity] ?? '', f.severity)} ${f.ruleName} [${f.ruleId}]`);
    lines.push(`  ${present ? 'still present at HEAD' : 'no longer at HEAD (rotate it anyway: it is in history)'}${refs.length ? `; on ${refs.join(', ')}` : ''}`);
    for (const g of group) {
      const commit = commitOf(g);
      lines.push(`  ${g.path}:${g.line}:${g.column}`);
      if (commit) lines.push(`    introduced in ${commit.sha.slice(0, 12)} by ${commit.author} <${commit.email}> on ${commit.date.slice(0, 10)}: ${commit.subject}`);
      const more = (g.history?.occurrences ?? []).filter((o) => o.commit !== commit?.sha || o.path !== g.path);
      for (const o of more) lines.push(`    also in ${o.commit.slice(0, 12)} at ${o.path}`);
    }
    if (f.remediation) lines.push(`  fix: ${f.remediation}`);
  }
  return lines;
}
