// A self-contained HTML page a security lead can read: summary by severity and rule, then
// findings by file. Everything is escaped; secrets are redacted unless --show-secrets.
import type { Finding } from '../types.js';
import { commitOf, shownSecret, type ReportContext } from './context.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function toHtml(findings: Finding[], ctx: ReportContext): string {
  const bySeverity = new Map<string, number>();
  const byRule = new Map<string, number>();
  for (const f of findings) {
    bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
    byRule.set(f.ruleName, (byRule.get(f.ruleName) ?? 0) + 1);
  }
  const rows = findings
    .map((f) => {
      const commit = commitOf(f);
      return `<tr class="${f.severity}"><td>${esc(f.path)}:${f.line}:${f.column}</td><td>${f.severity}</td><td>${esc(f.ruleName)}<br><code>${esc(f.ruleId)}</code></td><td><code>${esc(shownSecret(f, ctx))}</code></td><td>${commit ? `${esc(commit.sha.slice(0, 12))}<br>${esc(commit.author)} ${esc(commit.date.slice(0, 10))}` : ''}</td><td>${esc(f.remediation ?? '')}</td></tr>`;
    })
    .join('\n');
  const summary = [...bySeverity].map(([s, n]) => `<li>${s}: ${n}</li>`).join('') || '<li>No secrets found.</li>';
  const rules = [...byRule].sort((a, b) => b[1] - a[1]).map(([r, n]) => `<li>${esc(r)}: ${n}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leakfix report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}tr.critical td:nth-child(2),tr.high td:nth-child(2){color:#b00;font-weight:bold}code{font-size:12px}</style></head>
<body><h1>leakfix report</h1><p>${findings.length} finding(s), leakfix ${esc(ctx.version)}</p>
<h2>By severity</h2><ul>${summary}</ul><h2>By rule</h2><ul>${rules}</ul>
<h2>Findings</h2><table><thead><tr><th>Location</th><th>Severity</th><th>Rule</th><th>Secret</th><th>Commit</th><th>Fix</th></tr></thead><tbody>
${rows}
</tbody></table>${ctx.notes.length ? `<h2>Notes</h2><ul>${ctx.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}</body></html>
`;
}
