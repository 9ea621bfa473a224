// Where leakfix's own files are (bin/, dist/, rules/, package.json): found upward from this
// module, so the answer is the same for tsc's one-file-per-module output, the bundled CLI
// (dist/cli.js and its chunks) and the bundled action (dist/action.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'rules', 'aws.yaml')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(from, '..'); // not installed as a package: dist/'s parent
  }
}

/** A file of the package, by its path from the package root ('dist/chunk-worker.js'). */
export function packageFile(path: string): string {
  return join(PACKAGE_ROOT, path);
}
