// `leakfix hook install|uninstall`: puts `leakfix scan --staged` in front of the pre-commit hook.
// Respects core.hooksPath, chains a hook that is already there (moved aside, run after ours),
// and with husky edits the user's .husky/pre-commit script. Uninstall undoes exactly that.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { packageFile } from '../package-root.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { simpleGit } from 'simple-git';
import { firstLine } from '../sources/git.js';
import type { IO } from '../io.js';

const BEGIN = '# >>> leakfix pre-commit (added by `leakfix hook install`; remove with `leakfix hook uninstall`) >>>';
const END = '# <<< leakfix pre-commit <<<';
const CHAINED = 'pre-commit.pre-leakfix';
const BIN = packageFile('bin/leakfix.js');

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Our block: the CLI that installed it, else one on PATH; a non-zero exit stops the commit.
 * NODE_EXTRA_CA_CERTS is emptied for the scan: Node parses that bundle at every start (~40 ms
 * of a ~160 ms hook for a 140-certificate bundle, measured), and a staged scan opens no TLS connection.
 */
export function hookBlock(bin = BIN): string {
  return [
    BEGIN,
    `leakfix_bin=${shellQuote(bin)}`,
    '# a staged scan makes no TLS connection: spare Node parsing extra CA certificates at start',
    'if [ -f "$leakfix_bin" ]; then NODE_EXTRA_CA_CERTS= node "$leakfix_bin" scan --staged || exit $?',
    'elif command -v leakfix >/dev/null 2>&1; then NODE_EXTRA_CA_CERTS= leakfix scan --staged || exit $?',
    'else echo "leakfix: not installed; the staged changes were not scanned for secrets" >&2',
    'fi',
    END,
  ].join('\n');
}

interface Target {
  /** The file to edit. */
  file: string;
  /** husky: the user's script (sourced by husky's runner) is edited in place, never replaced. */
  husky: boolean;
}

/** Where the pre-commit hook goes (a metadata question: simple-git, like fix's). */
async function target(cwd: string): Promise<Target> {
  let path: string;
  try {
    path = await simpleGit({ baseDir: cwd }).revparse(['--git-path', 'hooks']);
  } catch (err) {
    const why = firstLine(err instanceof Error ? err.message : String(err));
    throw new UserError(`${cwd}: not a git repository${/not a git repository/i.test(why) || !why ? '' : ` (${why})`}`);
  }
  const hooks = resolve(cwd, path);
  // husky ≥ 9 points core.hooksPath at .husky/_ (generated, rewritten on install); its users'
  // scripts live one level up. Older husky points at .husky itself.
  if (basename(hooks) === '_' && basename(dirname(hooks)) === '.husky') return { file: join(dirname(hooks), 'pre-commit'), husky: true };
  return { file: join(hooks, 'pre-commit'), husky: basename(hooks) === '.husky' };
}

function withoutBlock(text: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < 0) return text;
  return text.slice(0, start) + text.slice(end + END.length).replace(/^\n/, '');
}

export async function installHook(cwd: string): Promise<string> {
  const t = await target(cwd);
  mkdirSync(dirname(t.file), { recursive: true });
  const existing = existsSync(t.file) ? readFileSync(t.file, 'utf8') : undefined;
  if (existing?.includes(BEGIN)) return `leakfix: already installed in ${t.file}\n`;
  if (existing !== undefined && t.husky) {
    // Insert after the shebang (if any) so leakfix runs before the rest of the script.
    const nl = existing.startsWith('#!') ? existing.indexOf('\n') + 1 || existing.length : 0;
    writeFileAtomic(t.file, `${existing.slice(0, nl)}${nl && !existing.slice(0, nl).endsWith('\n') ? '\n' : ''}${hookBlock()}\n${existing.slice(nl)}`);
    chmodSync(t.file, 0o755);
    return `leakfix: added to ${t.file}\n`;
  }
  let chained = '';
  if (existing !== undefined) {
    const aside = join(dirname(t.file), CHAINED);
    if (existsSync(aside)) throw new UserError(`${aside} already exists: remove or rename it, then run leakfix hook install again`);
    renameSync(t.file, aside);
    chained = `\n# The pre-commit hook that was here before leakfix, run after it:\n"$(dirname "$0")/${CHAINED}" "$@"\n`;
  }
  writeFileAtomic(t.file, `#!/bin/sh\n${hookBlock()}\n${chained}`, 0o755);
  chmodSync(t.file, 0o755);
  return `leakfix: installed ${t.file}${chained ? ` (your previous hook now runs after it from ${CHAINED})` : ''}\n`;
}

export async function uninstallHook(cwd: string): Promise<string> {
  const t = await target(cwd);
  const existing = existsSync(t.file) ? readFileSync(t.file, 'utf8') : undefined;
  if (existing === undefined || !existing.includes(BEGIN)) return `leakfix: not installed in ${t.file}; nothing to do\n`;
  const aside = join(dirname(t.file), CHAINED);
  if (!t.husky && existsSync(aside)) {
    renameSync(aside, t.file); // the original hook, byte for byte
    return `leakfix: removed; restored your previous hook ${t.file}\n`;
  }
  const rest = withoutBlock(existing);
  if (/^(#![^\n]*\n?)?\s*$/.test(rest)) unlinkSync(t.file);
  else writeFileAtomic(t.file, rest);
  return `leakfix: removed from ${t.file}\n`;
}

export async function hookCommand(args: string[], io: IO): Promise<number> {
  const [sub, ...extra] = args;
  if (extra.length) throw new UserError(`leakfix hook ${sub}: unexpected argument ${JSON.stringify(extra[0])}`);
  if (sub === 'install') io.stdout(await installHook(io.cwd));
  else if (sub === 'uninstall') io.stdout(await uninstallHook(io.cwd));
  else throw new UserError(`unknown hook command ${JSON.stringify(sub ?? '')} (use: leakfix hook install | leakfix hook uninstall)`);
  return 0;
}
