import type { Finding } from '../types.js';
import { commitOf, shownSecret, type ReportContext } from './context.js';

/** The stable JSON shape (documented in the README). */
export function toJsonFinding(f: Finding, ctx: ReportContext) {
  const commit = commitOf(f);
  return {
    ruleId: f.ruleId,
    ruleName: f.ruleName,
    detector: f.detector,
    severity: f.severity,
    confidence: f.confidence,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    startByte: f.byteRange[0],
    endByte: f.byteRange[1],
    secret: shownSecret(f, ctx),
    redacted: ctx.showSecrets ? false : true,
    entropy: f.entropy,
    fingerprint: f.fingerprint,
    encoding: f.encoding ?? null,
    source: f.origin.kind,
    commit: commit ? { sha: commit.sha, author: commit.author, email: commit.email, date: commit.date, subject: commit.subject } : null,
    stillPresent: f.history?.stillPresent ?? null,
    refs: f.history?.refs ?? null,
    occurrences: f.history?.occurrences ?? null,
    flow: f.flow ?? null,
    remediation: f.remediation ?? null,
  };
}

export function toJson(findings: Finding[], ctx: ReportContext): string {
  return (
    JSON.stringify(
      {
        version: 1,
        tool: { name: 'leakfix', version: ctx.version },
        findings: findings.map((f) => toJsonFinding(f, ctx)),
        notes: ctx.notes,
        stats: ctx.stats ?? null,
      },
      null,
      2,
    ) + '\n'
  );
}
