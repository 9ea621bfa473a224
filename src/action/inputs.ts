// The action's inputs, as the runner passes them: INPUT_<NAME> with the name upper-cased, spaces
// turned into underscores and dashes kept (INPUT_FAIL-ON). Validated here, once.
import { UserError } from '../errors.js';
import type { Severity } from '../types.js';

export type ActionMode = 'auto' | 'range' | 'history' | 'files';

export interface ActionInputs {
  mode: ActionMode;
  path: string;
  config?: string;
  baseline?: string;
  failOn: Severity | 'none';
  /** Where to write SARIF; undefined when turned off. */
  sarif?: string;
  category?: string;
  comment: boolean;
  token?: string;
}

export function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = input(env, name).toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new UserError(`input ${name}: expected true or false, got ${JSON.stringify(v)}`);
}

const MODES: ActionMode[] = ['auto', 'range', 'history', 'files'];
const FAIL_ON = ['critical', 'high', 'medium', 'low', 'none'];

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const mode = (input(env, 'mode') || 'auto').toLowerCase();
  if (!MODES.includes(mode as ActionMode)) throw new UserError(`input mode: expected one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const failOn = (input(env, 'fail-on') || 'low').toLowerCase();
  if (!FAIL_ON.includes(failOn)) throw new UserError(`input fail-on: expected one of ${FAIL_ON.join(', ')}, got ${JSON.stringify(failOn)}`);
  const sarif = input(env, 'sarif');
  return {
    mode: mode as ActionMode,
    path: input(env, 'path') || '.',
    config: input(env, 'config') || undefined,
    baseline: input(env, 'baseline') || undefined,
    failOn: failOn as ActionInputs['failOn'],
    sarif: sarif === '' || ['false', 'none', 'off'].includes(sarif.toLowerCase()) ? undefined : sarif,
    category: input(env, 'category') || undefined,
    comment: boolean(env, 'comment', true),
    token: input(env, 'github-token') || undefined,
  };
}
