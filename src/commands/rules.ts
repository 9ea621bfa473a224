import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { BUILTIN_RULES_DIR, loadRules } from '../rules/load.js';
import { checkRules } from '../rules/check.js';
import { GENERIC_RULES } from '../detect/generic.js';
import type { IO } from '../io.js';

export async function rulesCommand(sub: string | undefined, args: string[], io: IO): Promise<number> {
  if (sub === 'list') {
    const rules = loadRules();
    const rows = [
      ...rules.map((r) => ({ id: r.id, name: r.name, severity: r.severity, detector: 'pattern', keywords: r.keywords })),
      ...Object.values(GENERIC_RULES).map((g) => ({ id: g.id, name: g.name, severity: g.severity, detector: 'generic', keywords: [] as string[] })),
    ];
    if (args.includes('--format') && args[args.indexOf('--format') + 1] === 'json') {
      io.stdout(JSON.stringify(rows, null, 2) + '\n');
    } else {
      const width = Math.max(...rows.map((r) => r.id.length));
      for (const r of rows) io.stdout(`${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.name}\n`);
      io.stdout(`${rows.length} rules\n`);
    }
    return 0;
  }
  if (sub === 'check') {
    const target = args.find((a) => !a.startsWith('-'));
    const rules = loadRules(target ? resolve(io.cwd, target) : BUILTIN_RULES_DIR);
    const result = checkRules(rules);
    for (const f of result.failures) io.stdout(`FAIL ${f.source}: ${f.ruleId}: ${f.message}\n`);
    io.stdout(`${result.rules} rules, ${result.examples} examples, ${result.negatives} negative examples: ${result.failures.length ? `${result.failures.length} failure(s)` : 'all pass'}\n`);
    return result.failures.length ? 1 : 0;
  }
  throw new UserError(`unknown rules command ${JSON.stringify(sub ?? '')} (use: leakfix rules list | leakfix rules check [dir])`);
}
