import type { Finding } from '../types.js';
import { commitOf, shownSecret, type ReportContext } from './context.js';

const SEVERITY_COLOUR: Record<string, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m' };

export function toText(findings: Finding[], ctx: ReportContext): string {
  const c = (code: string, s: string) => (ctx.color ? `${code}${s}\x1b[0m` : s);
  const lines: string[] = [];
  let lastPath = '';
  for (const f of findings) {
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
