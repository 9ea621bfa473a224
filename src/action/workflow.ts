// The runner's file and stdout protocols: workflow commands, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** `::warning title=leakfix::message` (also error and notice). */
export function command(level: 'error' | 'warning' | 'notice', message: string): string {
  return `::${level} title=leakfix::${escapeData(message)}\n`;
}

/** Step outputs in the multi-line form, which no value can break out of. */
export function outputLines(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

export function appendTo(file: string | undefined, text: string): boolean {
  if (!file) return false;
  appendFileSync(file, text);
  return true;
}
