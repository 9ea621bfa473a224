// Working-tree scan throughput: leakfix against the floors a scanner cannot beat (reading the
// bytes) and against ripgrep running one combined keyword regex — all on the same corpus, in one
// run. Also checks recall of the planted secrets and peak memory.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus } from './corpus.js';

const MB = 1e6; // throughput and memory are in decimal megabytes
const TARGET_RG_RATIO = 4;
const TARGET_PEAK_MB = 500;
const TARGET_AST_DROP = 0.25; // issue 4: the AST stage may cost at most 25% of working-tree throughput

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (bytes, ms) => `${(bytes / MB / (ms / 1000)).toFixed(1)} MB/s`;
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

/** Which leakfix is measured: the commit, and whether src/ or rules/ differ from it. */
function revision(root) {
  const git = (...a) => spawnSync('git', ['-C', root, ...a], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--', 'src', 'rules');
  return `${git('rev-parse', '--short', 'HEAD') || 'unknown commit'}${dirty ? ' + uncommitted changes in src/ or rules/' : ''}`;
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) walk(abs, out);
    else if (e.isFile()) out.push(abs);
  }
  return out;
}

function timed(fn) {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

function check(result, what, okCodes = [0]) {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (!okCodes.includes(result.status)) throw new Error(`${what} exited ${result.status}${result.signal ? ` (${result.signal})` : ''}: ${String(result.stderr ?? '').trim().slice(0, 500)}`);
  return result;
}

/**
 * Wall time, peak RSS (MB) and CPU seconds (user + sys) of a child: GNU time when present,
 * otherwise VmHWM polled from /proc (CPU time then unavailable). CPU time matters on a shared
 * machine, where wall time also counts waiting for a core.
 */
async function runMeasured(cmd, args, opts, tmp) {
  if (existsSync('/usr/bin/time')) {
    const timeFile = join(tmp, 'time.txt');
    rmSync(timeFile, { force: true });
    const { ms, value } = timed(() => spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, cmd, ...args], { ...opts, encoding: 'utf8' }));
    const [kb, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { ms, result: value, peakMB: Number.isFinite(kb) ? (kb * 1024) / MB : undefined, cpuMs: Number.isFinite(user + sys) ? (user + sys) * 1000 : undefined };
  }
  // Fallback: poll /proc/<pid>/status (VmHWM is the high-water mark, so a late sample is enough).
  const started = performance.now();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let peakKB;
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKB = Math.max(peakKB ?? 0, Number(m[1]));
    } catch {
      /* exited between polls */
    }
  }, 20);
  const status = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(timer);
  return { ms: performance.now() - started, result: { status, stderr }, peakMB: peakKB === undefined ? undefined : (peakKB * 1024) / MB };
}

/** One alternation of every rule keyword, metacharacters escaped. */
function keywordRegex(root) {
  const listed = check(spawnSync(process.execPath, ['bin/leakfix.js', 'rules', 'list', '--format', 'json'], { cwd: root, encoding: 'utf8' }), 'leakfix rules list');
  const keywords = [...new Set(JSON.parse(listed.stdout).flatMap((r) => r.keywords))].sort();
  return { keywords, regex: keywords.map((k) => k.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|') };
}

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column < b.column);
/** Planted secrets a finding overlaps (same file, overlapping line/column span). */
function recall(planted, findings) {
  const byPath = new Map();
  for (const f of findings) (byPath.get(f.path) ?? byPath.set(f.path, []).get(f.path)).push(f);
  const matched = new Set();
  const kinds = {};
  for (const p of planted) {
    const k = (kinds[p.kind] ??= { planted: 0, found: 0 });
    k.planted++;
    const hit = (byPath.get(p.path) ?? []).find(
      (f) => before({ line: f.line, column: f.column }, { line: p.endLine, column: p.endColumn }) && before({ line: p.line, column: p.column }, { line: f.endLine, column: f.endColumn }),
    );
    if (hit) {
      k.found++;
      matched.add(hit);
    }
  }
  const extra = findings.filter((f) => !matched.has(f));
  return { found: matched.size, kinds, extra };
}

/** Whatever AST stage figures the scan reports in its JSON `stats` (added by the AST work). */
function astFigures(stats) {
  if (!stats) return [];
  const lines = [];
  const visit = (obj, prefix) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object') visit(v, key);
      else if (/ast|pars/i.test(key)) lines.push([key, v]);
    }
  };
  visit(stats, '');
  return lines;
}

export async function run(ctx) {
  const { root, log } = ctx;
  const runs = ctx.quick ? 1 : 5; // five rounds: a 2-core VM varies by ±15% from run to run
  const corpusDir = join(ctx.tmp, ctx.quick ? 'quick' : 'full');
  const corpus = ensureCorpus(corpusDir, { quick: ctx.quick, log });
  const bytes = corpus.bytes;
  log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews every figure below)`);
  log(`leakfix: ${revision(root)}`);
  log(`corpus: ${corpus.root}`);
  log(`  ${corpus.files} files, ${(bytes / MB).toFixed(1)} MB, ${corpus.planted.length} planted secrets${corpus.cached ? ' (cached)' : ''}`);

  // Floors. `cat` first also warms the page cache for everything after it.
  const cat = () => timed(() => check(spawnSync('sh', ['-c', `find . -type f -print0 | xargs -0 cat > /dev/null`], { cwd: corpus.root, encoding: 'utf8' }), 'find | xargs cat'));
  cat();
  const catMs = cat().ms;
  const nodeRead = timed(() => {
    let n = 0;
    for (const f of walk(corpus.root)) n += readFileSync(f).length;
    return n;
  });
  if (nodeRead.value !== bytes) throw new Error(`corpus has ${nodeRead.value} bytes on disk, manifest says ${bytes}: delete ${corpusDir}`);
  log(`plain read (node readFileSync, 1 thread): ${secs(nodeRead.ms)}  ${mbps(bytes, nodeRead.ms)}`);
  log(`plain read (find | xargs cat):            ${secs(catMs)}  ${mbps(bytes, catMs)}`);

  // ripgrep with every rule keyword in one case-insensitive regex: what a keyword prefilter costs at
  // best; leakfix as a user runs it (--no-ignore: the corpus sits in a gitignored directory); and
  // leakfix with the AST stage off. Run in rounds, one of each per round, so all three see the same
  // machine state, and the ratios are medians of each round's ratio.
  let rgMs, rgCpuMs, cpuMs;
  const hasRg = spawnSync('rg', ['--version']).status === 0;
  const { keywords, regex } = keywordRegex(root);
  const rgArgs = ['-c', '-i', '--no-ignore', '-j', '2', regex, corpus.root];
  const out = join(ctx.tmp, 'scan-out.json');
  const args = ['bin/leakfix.js', 'scan', corpus.root, '--no-ignore', '--format', 'json', '--output', out];
  const astOffConfig = join(ctx.tmp, 'ast-off.yaml');
  writeFileSync(astOffConfig, 'ast: false\n');
  const offOut = join(ctx.tmp, 'scan-out-ast-off.json');
  const offArgs = ['bin/leakfix.js', 'scan', corpus.root, '--no-ignore', '--format', 'json', '--output', offOut, '--config', astOffConfig];
  const rgSamples = [];
  const samples = [];
  const offSamples = [];
  for (let i = 0; i < runs; i++) {
    if (hasRg) {
      const s = await runMeasured('rg', rgArgs, { stdio: ['ignore', 'ignore', 'pipe'] }, ctx.tmp);
      check(s.result, 'rg', [0, 1]);
      rgSamples.push(s);
    }
    rmSync(out, { force: true });
    const s = await runMeasured(process.execPath, args, { cwd: root }, ctx.tmp);
    check(s.result, 'leakfix scan', [0, 1]);
    samples.push(s);
    const off = await runMeasured(process.execPath, offArgs, { cwd: root }, ctx.tmp);
    check(off.result, 'leakfix scan (AST off)', [0, 1]);
    offSamples.push(off);
  }
  if (hasRg) {
    rgMs = median(rgSamples.map((s) => s.ms));
    const rgCpus = rgSamples.map((s) => s.cpuMs).filter((c) => c !== undefined);
    rgCpuMs = rgCpus.length ? median(rgCpus) : undefined;
    log(`ripgrep (${keywords.length} keywords, -i, -j 2):       ${secs(rgMs)}  ${mbps(bytes, rgMs)}${runs > 1 ? `  (median of ${runs}: ${rgSamples.map((s) => secs(s.ms)).join(', ')})` : ''}`);
    if (rgCpuMs !== undefined) log(`ripgrep CPU time (user+sys):              ${secs(rgCpuMs)}  ${mbps(bytes, rgCpuMs)} per core-second`);
  } else log('ripgrep: not on PATH, skipped');
  const leakMs = median(samples.map((s) => s.ms));
  const offMs = median(offSamples.map((s) => s.ms));
  const peaks = samples.map((s) => s.peakMB).filter((p) => p !== undefined);
  const peakMB = peaks.length ? Math.max(...peaks) : undefined;
  log(`leakfix scan (default threads):           ${secs(leakMs)}  ${mbps(bytes, leakMs)}${runs > 1 ? `  (median of ${runs}: ${samples.map((s) => secs(s.ms)).join(', ')})` : ''}`);
  const cpus = samples.map((s) => s.cpuMs).filter((c) => c !== undefined);
  if (cpus.length) {
    cpuMs = median(cpus);
    log(`leakfix CPU time (user+sys):              ${secs(cpuMs)}  ${mbps(bytes, cpuMs)} per core-second`);
  }
  log(`leakfix peak RSS:                         ${peakMB === undefined ? 'unavailable' : `${peakMB.toFixed(1)} MB`}`);
  log(`leakfix scan, AST stage off:              ${secs(offMs)}  ${mbps(bytes, offMs)}${runs > 1 ? `  (median of ${runs}: ${offSamples.map((s) => secs(s.ms)).join(', ')})` : ''}`);

  // Findings and recall of the planted secrets. Paths in the report are prefixed with the scan root.
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const prefix = `${corpus.root}/`;
  const findings = report.findings.map((f) => ({ ...f, path: f.path.startsWith(prefix) ? f.path.slice(prefix.length) : f.path }));
  const r = recall(corpus.planted, findings);
  log(`findings: ${findings.length}; planted secrets found: ${r.found}/${corpus.planted.length} (recall ${((100 * r.found) / corpus.planted.length).toFixed(1)}%)`);
  for (const [kind, k] of Object.entries(r.kinds).sort()) log(`  ${kind.padEnd(20)} ${k.found}/${k.planted}`);
  const extraByRule = {};
  for (const f of r.extra) extraByRule[f.ruleId] = (extraByRule[f.ruleId] ?? 0) + 1;
  log(`  findings on no planted secret (false positives): ${r.extra.length}${r.extra.length ? ` — ${Object.entries(extraByRule).sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id} ${n}`).join(', ')}` : ''}`);
  for (const f of r.extra.slice(0, 5)) log(`    e.g. ${f.path}:${f.line}:${f.column} ${f.ruleId}`);
  if (report.stats) log(`leakfix stats: ${report.stats.files} files, ${(report.stats.bytes / MB).toFixed(1)} MB, in-process ${secs(report.stats.durationMs)}`);
  const ast = astFigures(report.stats);
  if (ast.length) {
    for (const [key, value] of ast) log(`  ${key}: ${value}`);
    // The AST time is summed over worker threads, so compare it with wall time × threads.
    const astMs = ast.find(([k]) => /ast.*(ms|time|duration)/i.test(k))?.[1];
    const threads = availableParallelism();
    if (typeof astMs === 'number' && report.stats.durationMs) log(`  AST share of scan time: ${((100 * astMs) / (report.stats.durationMs * threads)).toFixed(1)}%  (AST ms / (scan ms × ${threads} threads))`);
  } else log('  AST stage: no figures in JSON stats');

  // Ratios against the targets.
  log('ratios:');
  if (rgMs !== undefined) {
    const ratio = median(samples.map((s, i) => s.ms / rgSamples[i].ms));
    log(`  leakfix / rg:          ${ratio.toFixed(2)}×  (median of the rounds' ratios; target ≤ ${TARGET_RG_RATIO}×)  ${verdict(ratio <= TARGET_RG_RATIO)}`);
    log(`  AST off / rg:          ${median(offSamples.map((s, i) => s.ms / rgSamples[i].ms)).toFixed(2)}×`);
    // CPU seconds barely move with machine load, so this ratio is the one to compare across runs.
    if (cpuMs !== undefined && rgCpuMs !== undefined) log(`  leakfix / rg CPU time: ${(cpuMs / rgCpuMs).toFixed(2)}×  (same target, load-independent)  ${verdict(cpuMs / rgCpuMs <= TARGET_RG_RATIO)}`);
  }
  // Throughput lost to the AST stage: 1 - (time with it off / time with it on), per round.
  const astDrop = median(samples.map((s, i) => 1 - offSamples[i].ms / s.ms));
  log(`  AST stage throughput drop: ${(100 * astDrop).toFixed(1)}%  (target ≤ ${100 * TARGET_AST_DROP}%)  ${verdict(astDrop <= TARGET_AST_DROP)}`);
  log(`  leakfix / node read:   ${(leakMs / nodeRead.ms).toFixed(2)}×`);
  log(`  leakfix / cat:         ${(leakMs / catMs).toFixed(2)}×`);
  if (peakMB !== undefined) log(`  peak memory:           ${peakMB.toFixed(1)} MB  (target < ${TARGET_PEAK_MB} MB)  ${verdict(peakMB < TARGET_PEAK_MB)}`);
}
