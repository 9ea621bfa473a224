// Where the built-in rules live: next to the package, found upward from this module so it works
// both for tsc output (dist/rules/*.js) and for the bundled action (dist/action.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILTIN_RULES_DIR = findRulesDir(dirname(fileURLToPath(import.meta.url)));

function findRulesDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'rules', 'aws.yaml'))) return join(dir, 'rules');
    if (dirname(dir) === dir) return join(from, '..', '..', 'rules');
  }
}
