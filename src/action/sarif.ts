// SARIF for github/codeql-action/upload-sarif: a category (runAutomationDetails), and within
// GitHub's upload limits (25,000 results per run, 10 MB gzip-compressed). When over, the most
// severe results are kept and the run says how many were left out.
import { gzipSync } from 'node:zlib';

export const SARIF_LIMITS = { results: 25_000, gzipBytes: 10 * 1024 * 1024 };

export interface FittedSarif {
  text: string;
  total: number;
  kept: number;
}

const RANK: Record<string, number> = { error: 0, warning: 1, note: 2, none: 3 };

interface SarifLog {
  runs: { results: { level?: string; ruleId?: string }[]; tool: { driver: { rules?: { id: string }[] } }; [key: string]: unknown }[];
}

function serialize(log: SarifLog): string {
  return JSON.stringify(log, null, 2) + '\n';
}

export function fitSarif(text: string, category: string, limits = SARIF_LIMITS): FittedSarif {
  const log = JSON.parse(text) as SarifLog;
  const run = log.runs[0];
  // An id ending in "/" is a category with no run id: code scanning replaces the previous
  // analysis of the same category, so PR scans and full-history audits must not share one.
  run.automationDetails = { id: category.endsWith('/') ? category : `${category}/` };
  const all = run.results;
  const total = all.length;
  const ordered = all.map((r, i) => ({ r, i })).sort((a, b) => (RANK[a.r.level ?? 'warning'] ?? 1) - (RANK[b.r.level ?? 'warning'] ?? 1) || a.i - b.i);
  const build = (n: number): string => {
    const keep = ordered.slice(0, n).sort((a, b) => a.i - b.i).map((x) => x.r);
    run.results = keep;
    if (n < total) {
      run.invocations = [
        {
          executionSuccessful: true,
          toolExecutionNotifications: [{ level: 'warning', message: { text: `leakfix: ${total - n} of ${total} results left out to stay within GitHub's SARIF upload limits (${limits.results} results, ${limits.gzipBytes} bytes gzip-compressed); the most severe are kept.` } }],
        },
      ];
    } else delete run.invocations;
    return serialize(log);
  };
  const fits = (s: string) => gzipSync(s).length <= limits.gzipBytes;
  let kept = Math.min(total, limits.results);
  let out = build(kept);
  if (!fits(out)) {
    // Largest count that fits, by bisection (a few gzip passes over at most 10 MB each).
    let lo = 0;
    let hi = kept;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(build(mid))) lo = mid;
      else hi = mid - 1;
    }
    kept = lo;
    out = build(kept);
  }
  return { text: out, total, kept };
}
