// Real git repositories for the git-source tests, built with the git CLI in temp dirs, isolated
// from the machine's git config (no global hooksPath, signing or templates leak in).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { leakfix as runCli, type CliResult } from '../helpers/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'leakfix-git-'));
const globalConfig = join(scratch, 'gitconfig');
writeFileSync(globalConfig, '[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n');

/** Environment for git and the CLI: no user/system config, a private rule cache, fixed dates. */
export const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: globalConfig,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Dev One',
  GIT_AUTHOR_EMAIL: 'dev1@example.com',
  GIT_COMMITTER_NAME: 'Dev One',
  GIT_COMMITTER_EMAIL: 'dev1@example.com',
  XDG_CACHE_HOME: join(scratch, 'cache'),
  NO_COLOR: '1',
};

export interface Repo {
  dir: string;
  git: (...args: string[]) => string;
  write: (path: string, text: string | Buffer) => void;
  read: (path: string) => string;
  /** Commits everything staged (and `add -A` first when `all`); returns the new sha. */
  commit: (message: string, options?: { all?: boolean; date?: string; author?: string }) => string;
  scan: (...args: string[]) => CliResult;
  json: (...args: string[]) => { code: number; findings: JsonFinding[]; notes: string[]; stderr: string; stats: { files: number; binarySkipped: number } };
}

export interface JsonFinding {
  ruleId: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  secret: string;
  fingerprint: string;
  source: string;
  commit: { sha: string; author: string; email: string; date: string; subject: string } | null;
  stillPresent: boolean | null;
  refs: string[] | null;
  occurrences: { commit: string; path: string }[] | null;
}

let dates = 0;

export function makeRepo(name: string, options: { bare?: boolean; init?: boolean } = {}): Repo {
  const dir = join(scratch, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.init !== false) git('init', '-q', ...(options.bare ? ['--bare'] : []));
  const repo: Repo = {
    dir,
    git,
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    commit(message, o = {}) {
      if (o.all) git('add', '-A');
      // Distinct, increasing dates keep topological and date order the same and shas stable.
      const date = o.date ?? `2024-01-01T00:${String(Math.floor(dates / 60) % 60).padStart(2, '0')}:${String(dates++ % 60).padStart(2, '0')}Z`;
      const env = { ...ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, ...(o.author ? { GIT_AUTHOR_NAME: o.author, GIT_AUTHOR_EMAIL: `${o.author.toLowerCase().replace(/ /g, '.')}@example.com` } : {}) };
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      return git('rev-parse', 'HEAD').trim();
    },
    scan: (...args) => runCli(['scan', ...args], { cwd: dir, env: ENV }),
    json(...args) {
      const r = runCli(['scan', ...args, '-f', 'json'], { cwd: dir, env: ENV });
      if (r.code === 2) throw new Error(`leakfix failed: ${r.stderr}`);
      const report = JSON.parse(r.stdout) as { findings: JsonFinding[]; notes: string[]; stats: { files: number; binarySkipped: number } };
      return { code: r.code, findings: report.findings, notes: report.notes, stderr: r.stderr, stats: report.stats };
    },
  };
  return repo;
}

/** Runs git in a directory with the isolated environment; returns status and output. */
export function gitRun(cwd: string, args: string[], env: NodeJS.ProcessEnv = ENV) {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cleanup(): void {
  rmSync(scratch, { recursive: true, force: true });
}

export const SCRATCH = scratch;

/**
 * Repository settings that change what `git log` and `git diff` print (a root commit shown as
 * nothing, no or mnemonic path prefixes, colour, paths relative to the working directory, another
 * output encoding, decorations, a default pretty format, copy detection): the git sources must
 * read the same data whatever a user configured.
 */
export function configureHostileGit(repo: Repo): void {
  const settings: [string, string][] = [
    ['log.showRoot', 'false'],
    ['log.decorate', 'full'],
    ['format.pretty', 'oneline'],
    ['diff.noprefix', 'true'],
    ['diff.mnemonicPrefix', 'true'],
    ['diff.relative', 'true'],
    ['diff.renames', 'copies'],
    ['color.ui', 'always'],
    ['i18n.logOutputEncoding', 'ISO-8859-1'],
  ];
  for (const [key, value] of settings) repo.git('config', key, value);
}
