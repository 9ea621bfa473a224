// After writing: every rewritten JS/TS file parses, and neither the text nor a re-scan still
// holds a credential that was moved out of it.
import { isJsPath, parseJs } from './js.js';

export interface WrittenFile {
  path: string;
  text: string;
}

/** Problems found in the written files; empty when all is well. */
export function checkWritten(files: WrittenFile[], moved: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const f of files) {
    if (isJsPath(f.path)) {
      try {
        parseJs(f.text, f.path);
      } catch (e) {
        problems.push(`${f.path} no longer parses: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    for (const value of moved.get(f.path) ?? []) if (f.text.includes(value)) problems.push(`${f.path} still contains a moved secret`);
  }
  return problems;
}

/** Re-scan findings that are moved secrets in files fix rewrote. */
export function rescanProblems(findings: { path: string; secret: string; line: number; ruleId: string }[], moved: Map<string, Set<string>>): string[] {
  return findings.filter((f) => moved.get(f.path)?.has(f.secret)).map((f) => `re-scan still finds ${f.ruleId} in ${f.path}:${f.line}`);
}
