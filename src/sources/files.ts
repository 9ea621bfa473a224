// Working-tree source: which files to scan. Inside a git work tree, git itself answers
// (.gitignore at every level, info/exclude, global excludes); elsewhere fast-glob plus the
// `ignore` package reads the .gitignore files. Symlinks are never followed out of the root.
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, existsSync, type Dirent } from 'node:fs';
import { join, resolve, sep, dirname } from 'node:path';
import type ignoreFactory from 'ignore';
import type { Ignore } from 'ignore';
import { createRequire } from 'node:module';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';

export interface FileListOptions {
  noIgnore?: boolean;
  include?: string[];
  exclude?: string[];
}

export interface FileEntry {
  /** Absolute path on disk. */
  abs: string;
  /** Path reported to the user: relative to the scan root, `/`-separated. */
  path: string;
  /** Size in bytes when listed (0 if it could not be read); balances work across threads. */
  size: number;
}

// fast-glob and ignore cost more to load than a pre-commit scan takes; load them on first use.
const require = createRequire(import.meta.url);
const fastGlob = () => require('fast-glob') as typeof import('fast-glob');
const ignore = () => require('ignore') as typeof ignoreFactory;

const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn']);

/**
 * Every regular file under root, relative and `/`-separated, dot files included, VCS directories
 * and symlinks left out, unreadable directories passed over. What fast-glob's `**` gave, at twice
 * its speed on a 6,000-file tree (no pattern matching to pay for): listing runs before any scanning.
 */
function walkTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name), path);
      } else if (e.isFile()) out.push(path);
    }
  };
  walk(root, '');
  return out;
}

function gitFiles(root: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '.'], {
      encoding: 'buffer',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.toString('utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

function insideGitWorkTree(root: string): boolean {
  let dir = resolve(root);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function ignoreFilesMatcher(root: string, name: string, files: string[]): (p: string) => boolean {
  // Each .gitignore applies to paths below its own directory.
  const layers: { dir: string; ig: Ignore }[] = [];
  for (const f of files.filter((f) => f === name || f.endsWith(`/${name}`))) {
    try {
      layers.push({ dir: f === name ? '' : f.slice(0, -name.length - 1), ig: ignore()().add(readFileSync(join(root, f), 'utf8')) });
    } catch {
      /* unreadable ignore file: treat as absent */
    }
  }
  return (p) =>
    layers.some(({ dir, ig }) => {
      if (dir && !p.startsWith(`${dir}/`)) return false;
      return ig.ignores(dir ? p.slice(dir.length + 1) : p);
    });
}

/** Lists the files under one scan root (a directory or a single file). */
export function listFiles(rootArg: string, options: FileListOptions = {}): FileEntry[] {
  const root = resolve(rootArg);
  let st;
  try {
    st = statSync(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `path not found: ${rootArg}` : `cannot read ${rootArg}: ${code}`);
  }
  if (st.isFile()) return [{ abs: root, path: rootArg.split(sep).join('/'), size: st.size }];
  if (!st.isDirectory()) throw new UserError(`not a file or directory: ${rootArg}`);

  let paths: string[] | undefined;
  if (!options.noIgnore && insideGitWorkTree(root)) paths = gitFiles(root);
  const fromGit = paths !== undefined;
  if (!paths) {
    paths = walkTree(root);
    if (!options.noIgnore) {
      const ignored = ignoreFilesMatcher(root, '.gitignore', paths);
      paths = paths.filter((p) => !ignored(p));
    }
  }
  if (!options.noIgnore) {
    const leakfixIgnored = ignoreFilesMatcher(root, '.leakfixignore', fromGit ? fastGlob().sync('**/.leakfixignore', { cwd: root, dot: true }) : paths);
    paths = paths.filter((p) => !leakfixIgnored(p));
  }
  const included = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;
  const excluded = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : undefined;
  const realRoot = realpathSync(root);
  const entries: FileEntry[] = [];
  for (const p of paths.sort()) {
    if (included && !included(p)) continue;
    if (excluded && excluded(p)) continue;
    const abs = join(root, p);
    let size = 0;
    try {
      const link = lstatSync(abs);
      size = link.size;
      if (link.isSymbolicLink()) {
        const target = realpathSync(abs);
        if (target !== realRoot && !target.startsWith(realRoot + sep)) continue;
        const st = statSync(target);
        if (!st.isFile()) continue;
        size = st.size;
      }
    } catch {
      // Deleted since listing, or a dangling link: the reader reports unreadable files.
      if (!existsSync(abs)) continue;
    }
    const shown = rootArg === '.' ? p : `${rootArg.replace(/[\\/]+$/, '').split(sep).join('/')}/${p}`;
    entries.push({ abs, path: shown, size });
  }
  return entries;
}
