// SARIF 2.1.0 for GitHub code scanning and other viewers. Regions cover the secret's exact span.
import type { Finding } from '../types.js';
import { commitOf, shownSecret, type ReportContext } from './context.js';

const LEVEL: Record<string, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
const SECURITY_SEVERITY: Record<string, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

function uri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function toSarif(findings: Finding[], ctx: ReportContext): string {
  const ids = [...new Set(findings.map((f) => f.ruleId))].sort();
  const rules = ids.map((id) => {
    const info = ctx.rules.get(id);
    const severity = info?.severity ?? findings.find((f) => f.ruleId === id)!.severity;
    return {
      id,
      name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
      shortDescription: { text: info?.name ?? id },
      fullDescription: { text: `${info?.name ?? id}: a hard-coded credential. ${info?.remediation ?? ''}`.trim() },
      help: { text: info?.remediation ?? 'Rotate the credential and load it from a secret store.' },
      ...(info?.references?.length ? { helpUri: info.references[0] } : {}),
      defaultConfiguration: { level: LEVEL[severity] ?? 'warning' },
      properties: { tags: ['security', 'secret', 'external/cwe/cwe-798'], 'security-severity': SECURITY_SEVERITY[severity] ?? '5.0', precision: 'high' },
    };
  });
  const results = findings.map((f) => {
    const commit = commitOf(f);
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: ids.indexOf(f.ruleId),
      level: LEVEL[f.severity] ?? 'warning',
      message: { text: `${f.ruleName} found: ${shownSecret(f, ctx)}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uri(f.path) },
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn, snippet: { text: f.lineText } },
          },
        },
      ],
      partialFingerprints: { 'leakfix/v1': f.fingerprint, ...(commit ? { commitSha: commit.sha } : {}) },
      properties: {
        detector: f.detector,
        confidence: f.confidence,
        entropy: f.entropy,
        redactedSecret: f.redacted,
        ...(commit ? { commit: commit.sha, author: commit.author, email: commit.email, date: commit.date, subject: commit.subject } : {}),
        ...(f.history?.stillPresent !== undefined ? { stillPresent: f.history.stillPresent } : {}),
      },
    };
    if (f.flow?.length) {
      result.codeFlows = [
        {
          threadFlows: [
            {
              locations: f.flow.map((s) => ({
                location: {
                  physicalLocation: { artifactLocation: { uri: uri(f.path) }, region: { startLine: s.line, startColumn: s.column } },
                  message: { text: s.note ? `${s.name}: ${s.note}` : s.name },
                },
              })),
            },
          ],
        },
      ];
    }
    return result;
  });
  return (
    JSON.stringify(
      {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'leakfix', version: ctx.version, semanticVersion: ctx.version, informationUri: 'https://github.com/leakfix/leakfix', rules } },
            results,
            columnKind: 'utf16CodeUnits',
          },
        ],
      },
      null,
      2,
    ) + '\n'
  );
}
