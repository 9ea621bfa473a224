// Stands in for node:module inside the bundled action. leakfix loads yaml and typescript-estree
// lazily through createRequire(import.meta.url); a GitHub runner has no node_modules next to
// dist/action.js, so these two resolve to bundled copies (still loaded lazily, on first use).
import { createRequire as nodeCreateRequire } from 'module';
export * from 'module';

const bundled = {
  yaml: () => require('yaml'),
  '@typescript-eslint/typescript-estree': () => require('@typescript-eslint/typescript-estree'),
};

export function createRequire(from) {
  const fallback = nodeCreateRequire(from);
  return (id) => (Object.hasOwn(bundled, id) ? bundled[id]() : fallback(id));
}
