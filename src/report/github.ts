// GitHub Actions workflow commands: one annotation per finding.
import type { Finding } from '../types.js';
import { shownSecret, type ReportContext } from './context.js';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function toGithub(findings: Finding[], ctx: ReportContext): string {
  return findings
    .map((f) => {
      const level = f.severity === 'low' ? 'notice' : f.severity === 'medium' ? 'warning' : 'error';
      const props = [
        `file=${escapeProperty(f.path)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(`${f.ruleName} (${f.ruleId})`)}`,
      ];
      const msg = `${f.ruleName}: ${shownSecret(f, ctx)}. ${f.remediation ?? ''} To accept it, add a leakfix:allow comment on the line.`;
      return `::${level} ${props.join(',')}::${escapeData(msg.trim())}\n`;
    })
    .join('');
}
