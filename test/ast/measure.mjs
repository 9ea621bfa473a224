// Measures the AST stage on a tree, in one thread so the stage's counters are visible here:
// scan time with and without it, files parsed, and its share of scan time.
//   npx tsc -p tsconfig.json && node test/ast/measure.mjs [dir] [runs]
import { createEngine } from '../../dist/detect/engine.js';
import { astStats, resetAstStats } from '../../dist/detect/ast/index.js';
import { listFiles } from '../../dist/sources/files.js';
import { scanFileList } from '../../dist/scan-files.js';
import { loadRules } from '../../dist/rules/load.js';

const dir = process.argv[2] ?? 'bench/.corpus/quick/tree';
const runs = Number(process.argv[3] ?? 3);
const rules = loadRules();
const files = listFiles(dir, { noIgnore: true, include: [], exclude: [] });
const jsFiles = files.filter((f) => /\.(?:[cm]?[jt]sx?|vue|svelte)$/.test(f.path)).length;
const time = (ast) => {
  const engine = createEngine(rules, { ast });
  resetAstStats();
  const started = performance.now();
  const result = scanFileList(engine, files, 10 * 1024 * 1024);
  return { ms: performance.now() - started, bytes: result.bytes, findings: result.findings, stats: { ...astStats } };
};
// The fastest run: other work on a shared machine only ever adds time.
const median = (xs) => Math.min(...xs);
time(true); // warm up: JIT, file cache, the parser's own load
const off = [], on = [];
let last;
for (let i = 0; i < runs; i++) {
  off.push(time(false).ms);
  last = time(true);
  on.push(last.ms);
}
const mb = last.bytes / 1e6;
const [offMs, onMs] = [median(off), median(on)];
const astFindings = last.findings.filter((f) => f.detector === 'ast');
console.log(JSON.stringify({
  files: files.length, jsFiles, MB: +mb.toFixed(1),
  withoutAst: { ms: Math.round(offMs), MBps: +(mb / offMs * 1000).toFixed(1) },
  withAst: { ms: Math.round(onMs), MBps: +(mb / onMs * 1000).toFixed(1) },
  throughputDrop: `${(100 * (1 - offMs / onMs)).toFixed(1)}%`,
  ast: { parsed: last.stats.parsed, failed: last.stats.failed, skipped: last.stats.skipped, ms: Math.round(last.stats.ms), share: `${(100 * last.stats.ms / onMs).toFixed(1)}%`, findings: astFindings.length },
}, null, 1));
