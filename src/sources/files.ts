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

/** Lists the files under one scan root (a directory or a single file), sorted by path. */
export function listFiles(rootArg: string, options: FileListOptions = {}): FileEntry[] {
  return [...listFileBatches(rootArg, options)].flat().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Layers of an ignore file name: each applies to paths below its own directory. */
type Layers = { dir: string; ig: Ignore }[];

function ignoredBy(layers: Layers, p: string): boolean {
  return layers.some(({ dir, ig }) => (!dir || p.startsWith(`${dir}/`)) && ig.ignores(dir ? p.slice(dir.length + 1) : p));
}

function addLayer(layers: Layers, root: string, dir: string, name: string): void {
  try {
    layers.push({ dir, ig: ignore()().add(readFileSync(join(root, dir, name), 'utf8')) });
  } catch {
    /* unreadable ignore file: treat as absent */
  }
}

const BATCH = 512;

/**
 * The files under one scan root, in batches as they are found, so a scan can start on the first
 * ones while the rest of a large tree is listed. Inside a git work tree git answers at once;
 * elsewhere the tree is walked, each directory's .gitignore and .leakfixignore read before its
 * files are judged (what git does too). Order within and across batches is not sorted.
 */
export function* listFileBatches(rootArg: string, options: FileListOptions = {}): Generator<FileEntry[]> {
  const root = resolve(rootArg);
  let st;
  try {
    st = statSync(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `path not found: ${rootArg}` : `cannot read ${rootArg}: ${code}`);
  }
  if (st.isFile()) {
    yield [{ abs: root, path: rootArg.split(sep).join('/'), size: st.size }];
    return;
  }
  if (!st.isDirectory()) throw new UserError(`not a file or directory: ${rootArg}`);
  const toEntries = entryMaker(rootArg, root, options);

  const fromGit = !options.noIgnore && insideGitWorkTree(root) ? gitFiles(root) : undefined;
  if (fromGit) {
    const leakfixIgnored = ignoreFilesMatcher(root, '.leakfixignore', fastGlob().sync('**/.leakfixignore', { cwd: root, dot: true }));
    const paths = fromGit.filter((p) => !leakfixIgnored(p)).sort();
    for (let i = 0; i < paths.length; i += BATCH) yield toEntries(paths.slice(i, i + BATCH));
    return;
  }
  const gitignores: Layers = [];
  const leakfixignores: Layers = [];
  const dirs = [''];
  let batch: string[] = [];
  while (dirs.length) {
    const rel = dirs.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(rel ? join(root, rel) : root, { withFileTypes: true });
    } catch {
      continue; // unreadable directory: passed over
    }
    const under = (name: string) => (rel ? `${rel}/${name}` : name);
    if (!options.noIgnore) {
      // A directory's ignore files apply to everything below it, so they are read first.
      if (entries.some((e) => e.name === '.gitignore' && e.isFile())) addLayer(gitignores, root, rel, '.gitignore');
      if (entries.some((e) => e.name === '.leakfixignore' && e.isFile()) && !ignoredBy(gitignores, under('.leakfixignore'))) addLayer(leakfixignores, root, rel, '.leakfixignore');
    }
    for (const e of entries) {
      const path = under(e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) dirs.push(path);
      } else if (e.isFile()) {
        // Symlinks are left out here, as fast-glob's `**` (this walk's predecessor) did.
        if (!options.noIgnore && (ignoredBy(gitignores, path) || ignoredBy(leakfixignores, path))) continue;
        batch.push(path);
      }
    }
    if (batch.length >= BATCH) {
      yield toEntries(batch);
      batch = [];
    }
  }
  if (batch.length) yield toEntries(batch);
}

/** Relative paths → entries: --include/--exclude, sizes, symlinks kept inside the root. */
function entryMaker(rootArg: string, root: string, options: FileListOptions): (paths: string[]) => FileEntry[] {
  const included = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;
  const excluded = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : undefined;
  const realRoot = realpathSync(root);
  const prefix = rootArg === '.' ? '' : `${rootArg.replace(/[\\/]+$/, '').split(sep).join('/')}/`;
  return (paths) => {
    const entries: FileEntry[] = [];
    for (const p of paths) {
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
      entries.push({ abs, path: prefix + p, size });
    }
    return entries;
  };
}
