// Filters are small named pure passes over findings; the pipeline runs them in order.
import picomatch from 'picomatch';
import { ruleDisabled, type Config } from '../config/load.js';
import type { Finding } from '../types.js';

export type Pass = (findings: Finding[]) => Finding[];

export function filterAllowedValues(allow: Config['allow']): Pass {
  const values = new Set(allow.values);
  const regexes = allow.regexes.map((r) => new RegExp(r));
  const stopwords = allow.stopwords;
  return (findings) =>
    findings.filter((f) => {
      if (values.has(f.secret)) return false;
      if (regexes.some((r) => r.test(f.secret))) return false;
      const lower = f.secret.toLowerCase();
      return !stopwords.some((w) => lower.includes(w));
    });
}

export function pathAllowed(allowPaths: string[]): (path: string) => boolean {
  if (allowPaths.length === 0) return () => false;
  const match = picomatch(allowPaths, { dot: true });
  return (path) => match(path);
}

export function filterAllowedPaths(allowPaths: string[]): Pass {
  const allowed = pathAllowed(allowPaths);
  return (findings) => findings.filter((f) => !allowed(f.path));
}

/** Drops findings of disabled rule ids (globs), including generic detectors; applies overrides. */
export function filterDisabled(config: Config): Pass {
  const disabled = ruleDisabled(config);
  return (findings) =>
    findings
      .filter((f) => !disabled(f.ruleId))
      .map((f) => {
        const o = config.rules.override[f.ruleId];
        if (!o || f.detector !== 'generic') return f;
        return { ...f, severity: o.severity ?? f.severity, confidence: o.confidence ?? f.confidence };
      });
}

export function filterBaseline(fingerprints: ReadonlySet<string>): Pass {
  return (findings) => findings.filter((f) => !fingerprints.has(f.fingerprint));
}

/** The same secret reported twice at the same place (e.g. two roots overlapping). */
export const filterDuplicated: Pass = (findings) => {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.fingerprint}:${f.line}:${f.column}:${f.origin.kind === 'commit' ? f.origin.commit.sha : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

export function runPasses(findings: Finding[], passes: Pass[]): Finding[] {
  return passes.reduce((acc, pass) => pass(acc), findings);
}
