#!/usr/bin/env node
// `npm run bench`: runs every benchmark section in one process, in a fixed order —
// scan.bench.js, then the other bench/*.bench.js (sorted), then bench/store.js when present.
// A section that throws prints its error; the others still run; the exit code says whether any failed.
//   node bench/run.js [--quick] [--only NAME]
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } }, strict: true });

/** Section name → file, in run order. */
function sections() {
  const others = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.js') && f !== 'scan.bench.js')
    .sort();
  const list = ['scan.bench.js', ...others].filter((f) => existsSync(join(benchDir, f))).map((f) => ({ name: f.replace(/\.bench\.js$/, ''), file: f }));
  if (existsSync(join(benchDir, 'store.js'))) list.push({ name: 'store', file: 'store.js' });
  return list;
}

/** Prints whatever a section without its own printing returned: numbers, strings, objects. */
function printResult(log, result, prefix = '') {
  if (result === undefined || result === null) return;
  if (typeof result !== 'object') return log(`${prefix}${typeof result === 'number' ? formatNumber(result) : result}`);
  for (const [key, value] of Object.entries(result)) {
    if (value && typeof value === 'object') {
      log(`${prefix}${key}:`);
      printResult(log, value, prefix + '  ');
    } else log(`${prefix}${key}: ${typeof value === 'number' ? formatNumber(value) : value}`);
  }
}
const formatNumber = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * bench/store.js belongs to another engineer and does not follow the `run(ctx)` convention: it
 * exports `benchStore({ seconds, concurrency })` → `{ getPerSecond, putPerSecond, … }`. If that
 * changes, fall back to `run(ctx)`, a default function, or every exported function in name order,
 * and print what each returns.
 */
async function runStore(mod, ctx) {
  if (typeof mod.benchStore === 'function') {
    const r = await mod.benchStore({ seconds: ctx.quick ? 1 : 3 });
    ctx.log(`GetSecretValue: ${r.getPerSecond.toFixed(1)} req/s`);
    ctx.log(`PutSecretValue: ${r.putPerSecond.toFixed(1)} req/s`);
    ctx.log(`(loopback, AWS SDK client, ${r.concurrency} concurrent requests, ${r.seconds} s each)`);
    return;
  }
  if (typeof mod.run === 'function') return printResult(ctx.log, await mod.run(ctx));
  if (typeof mod.default === 'function') return printResult(ctx.log, await mod.default(ctx));
  const fns = Object.entries(mod).filter(([, v]) => typeof v === 'function').sort(([a], [b]) => a.localeCompare(b));
  if (fns.length === 0) throw new Error('bench/store.js exports no function to call');
  for (const [name, fn] of fns) {
    ctx.log(`${name}:`);
    printResult(ctx.log, await fn(ctx), '  ');
  }
}

const tmp = join(benchDir, '.corpus');
mkdirSync(tmp, { recursive: true });
const all = sections();
const chosen = values.only ? all.filter((s) => s.name === values.only) : all;
if (chosen.length === 0) {
  console.error(`bench: no section named ${JSON.stringify(values.only)} (sections: ${all.map((s) => s.name).join(', ')})`);
  process.exit(2);
}

const failed = [];
for (const section of chosen) {
  console.log(`\n== ${section.name}${values.quick ? ' (quick)' : ''} ==`);
  const ctx = { root, tmp, quick: values.quick, log: (...parts) => console.log(parts.join(' ')) };
  const started = performance.now();
  try {
    const mod = await import(pathToFileURL(join(benchDir, section.file)).href);
    if (section.name === 'store') await runStore(mod, ctx);
    else if (typeof mod.run !== 'function') throw new Error(`${section.file} does not export run(ctx)`);
    else await mod.run(ctx);
    console.log(`(${section.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed.push(section.name);
    console.log(`ERROR in ${section.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
console.log(failed.length ? `\nbench: ${failed.length} section(s) failed: ${failed.join(', ')}` : `\nbench: ${chosen.length} section(s) ran`);
process.exitCode = failed.length ? 1 : 0;
