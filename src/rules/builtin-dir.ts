// Where the built-in rules live: rules/ at the package root (see package-root.ts).
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

export const BUILTIN_RULES_DIR = join(PACKAGE_ROOT, 'rules');
