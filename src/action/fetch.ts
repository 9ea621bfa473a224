// Makes the commits a range scan needs present in the clone. actions/checkout fetches one commit
// by default (fetch-depth: 1), so a pull request's base and head, or a push's before, are often
// missing, and the range may cross the shallow boundary, where a commit looks as if it added every
// file. We fetch what is missing from origin (by sha, then deeper), and say so; when that is not
// possible the message names the fix: `fetch-depth: 0`.
import { isAbsolute, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { firstLine, gitSync, repoInfo, ZERO_SHA } from '../sources/git.js';
import { resolveRange } from '../sources/range.js';
import type { ScanPlan } from './event.js';

type RangePlan = Extract<ScanPlan, { kind: 'range' }>;

export interface PreparedRange {
  /** BASE..HEAD for scanRange. */
  range: string;
  notes: string[];
  /** Things the user should act on (shown as workflow warnings). */
  warnings: string[];
}

const FETCH = ['fetch', '--no-tags', '--no-recurse-submodules', '--quiet'];
const ADVICE = 'check out with actions/checkout and `fetch-depth: 0`';

function hasCommit(dir: string, rev: string): boolean {
  return gitSync(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).code === 0;
}

function hasOrigin(dir: string): boolean {
  return gitSync(dir, ['remote', 'get-url', 'origin']).code === 0;
}

function fetch(dir: string, args: string[], log: (s: string) => void): boolean {
  log(`leakfix: git ${[...FETCH, ...args].join(' ')}`);
  const r = gitSync(dir, [...FETCH, ...args]);
  if (r.code !== 0) log(`leakfix: git fetch failed: ${firstLine(r.stderr)}`);
  return r.code === 0;
}

/** Commits of the range that sit on the shallow boundary (their parents are missing). */
function boundaryCommits(dir: string, range: string): string[] {
  const info = repoInfo(dir);
  if (!info.shallow) return [];
  const path = gitSync(dir, ['rev-parse', '--git-path', 'shallow']).stdout.toString('utf8').trim();
  let shallow: Set<string>;
  try {
    shallow = new Set(readFileSync(isAbsolute(path) ? path : join(dir, path), 'utf8').split('\n').filter(Boolean));
  } catch {
    return [];
  }
  const { revs } = resolveRange(info, range);
  const listed = gitSync(dir, ['rev-list', '--stdin'], revs.join('\n') + '\n').stdout.toString('utf8').split('\n');
  return listed.filter((sha) => shallow.has(sha));
}

export function prepareRange(dir: string, plan: RangePlan, log: (s: string) => void): PreparedRange {
  const notes: string[] = [];
  const warnings: string[] = [];
  const origin = hasOrigin(dir);
  const depth = Math.max((plan.commits ?? 49) + 1, 2);
  const depthArg = () => (repoInfo(dir).shallow ? [`--depth=${depth}`] : []);
  const zeroBase = ZERO_SHA.test(plan.base);

  for (const sha of zeroBase ? [plan.head] : [plan.head, plan.base]) {
    if (!hasCommit(dir, sha) && origin) fetch(dir, [...depthArg(), 'origin', sha], log);
  }
  if (!hasCommit(dir, plan.head)) {
    throw new UserError(`head commit ${plan.head} is not in this clone${origin ? ' and could not be fetched from origin' : ' (no origin remote to fetch it from)'}: ${ADVICE}`);
  }

  let base = plan.base;
  if (!zeroBase && !hasCommit(dir, base)) {
    if (plan.pr !== undefined || plan.fallbackBranch === undefined) {
      throw new UserError(`base commit ${base} is not in this clone${origin ? ' and could not be fetched from origin' : ''}: ${ADVICE} (or fetch it: git fetch origin ${base})`);
    }
    warnings.push(`the push's before commit ${base.slice(0, 12)} no longer exists${plan.forced ? ' (a force-push rewrote it)' : ''}: scanning the commits of ${plan.head.slice(0, 12)} that ${plan.fallbackBranch} does not have instead`);
    base = '0'.repeat(40);
  }
  if (ZERO_SHA.test(base)) {
    // A new branch (or a lost before): compare with the default branch when there is one.
    const fb = plan.fallbackBranch;
    const ref = `refs/remotes/origin/${fb}`;
    if (fb && plan.branch !== fb && origin && (hasCommit(dir, ref) || fetch(dir, [...depthArg(), 'origin', `+refs/heads/${fb}:${ref}`], log)) && hasCommit(dir, ref)) {
      base = ref;
      notes.push(`scanning the commits of ${plan.head.slice(0, 12)} that are not on the default branch ${fb}`);
    }
  }

  // A range reaching the shallow boundary would report every file of the boundary commit: deepen.
  let range = `${base}..${plan.head}`;
  const deepenFrom = [plan.head, ...(ZERO_SHA.test(base) ? [] : [base])];
  for (let round = 0, step = Math.max(depth, 50); origin && boundaryCommits(dir, range).length && round < 4; round++, step *= 4) {
    fetch(dir, [`--deepen=${step}`, 'origin', ...deepenFrom.filter((r) => !r.startsWith('refs/'))], log);
  }
  if (origin && boundaryCommits(dir, range).length) fetch(dir, ['--unshallow', 'origin'], log);
  const cut = boundaryCommits(dir, range);
  if (cut.length) {
    warnings.push(`the clone is shallow and the scanned range reaches its boundary (${cut.map((c) => c.slice(0, 12)).join(', ')}): those commits look as if they added every file, so findings there may predate the range; ${ADVICE}`);
  }
  range = `${base}..${plan.head}`;
  return { range, notes, warnings };
}
