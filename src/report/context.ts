import type { Finding, Rule } from '../types.js';
import type { ScanStats } from '../scan.js';
import { GENERIC_RULES } from '../detect/generic.js';
import { AST_RULES } from '../detect/ast/rules.js';

export interface RuleInfo {
  id: string;
  name: string;
  severity: string;
  remediation?: string;
  references?: string[];
}

export interface ReportContext {
  version: string;
  showSecrets: boolean;
  color: boolean;
  rules: Map<string, RuleInfo>;
  notes: string[];
  stats?: ScanStats;
}

export function ruleInfoMap(rules: Rule[]): Map<string, RuleInfo> {
  const map = new Map<string, RuleInfo>();
  for (const g of Object.values(GENERIC_RULES)) map.set(g.id, g);
  for (const a of Object.values(AST_RULES)) map.set(a.id, a);
  for (const r of rules) map.set(r.id, { id: r.id, name: r.name, severity: r.severity, remediation: r.remediation, references: r.references });
  return map;
}

/** The secret as a report may show it. */
export function shownSecret(f: Finding, ctx: ReportContext): string {
  return ctx.showSecrets ? f.secret : f.redacted;
}

export function commitOf(f: Finding) {
  return f.origin.kind === 'commit' ? f.origin.commit : undefined;
}
