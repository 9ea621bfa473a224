// Which commits a workflow run should scan, from the event GitHub delivered. Pure: the event
// name and payload in, a plan out; fetching missing commits happens later (action/fetch.ts).
import { UserError } from '../errors.js';
import type { ActionMode } from './inputs.js';

const ZERO = /^0+$/;

export type ScanPlan =
  | {
      kind: 'range';
      base: string;
      head: string;
      /** Commits the range holds, when the event says (fetch depth for shallow clones). */
      commits?: number;
      /** What to compare against when `base` is missing or all zeros: the default branch. */
      fallbackBranch?: string;
      /** The pushed branch, to tell a new branch from the default one. */
      branch?: string;
      forced?: boolean;
      pr?: number;
      scope: string;
    }
  | { kind: 'history'; scope: string }
  | { kind: 'files'; scope: string }
  | { kind: 'none'; scope: string; reason: string };

// Only the fields leakfix reads; GitHub's payloads carry many more.
export interface EventPayload {
  pull_request?: { number?: number; commits?: number; base?: { sha?: string; repo?: { full_name?: string } }; head?: { sha?: string; repo?: { full_name?: string } | null } };
  merge_group?: { base_sha?: string; head_sha?: string };
  before?: string;
  after?: string;
  ref?: string;
  forced?: boolean;
  deleted?: boolean;
  commits?: unknown[];
  repository?: { default_branch?: string; full_name?: string; html_url?: string };
}

const short = (sha: string) => sha.slice(0, 12);

export function planScan(eventName: string, payload: EventPayload, mode: ActionMode): ScanPlan {
  if (mode === 'history') return { kind: 'history', scope: 'full history of every branch and tag in the clone' };
  if (mode === 'files') return { kind: 'files', scope: 'working tree' };
  const range = rangeOf(eventName, payload);
  if (range) return range;
  if (mode === 'range') throw new UserError(`mode range needs a pull_request, push or merge_group event, not ${eventName || 'an unknown event'} (use mode: history or files)`);
  return { kind: 'history', scope: `full history (${eventName || 'no event'} event)` };
}

function rangeOf(eventName: string, payload: EventPayload): ScanPlan | undefined {
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const pr = payload.pull_request;
    const base = pr?.base?.sha;
    const head = pr?.head?.sha;
    if (!base || !head) throw new UserError(`${eventName} event without pull_request.base.sha and head.sha (GITHUB_EVENT_PATH holds no pull request payload)`);
    return { kind: 'range', base, head, commits: pr.commits, pr: pr.number, scope: `pull request #${pr.number}: ${pr.commits ?? '?'} commit(s), ${short(base)}..${short(head)}` };
  }
  if (eventName === 'merge_group') {
    const { base_sha: base, head_sha: head } = payload.merge_group ?? {};
    if (!base || !head) throw new UserError('merge_group event without merge_group.base_sha and head_sha');
    return { kind: 'range', base, head, scope: `merge queue: ${short(base)}..${short(head)}` };
  }
  if (eventName === 'push') {
    const { before = '', after = '' } = payload;
    const branch = payload.ref?.startsWith('refs/heads/') ? payload.ref.slice('refs/heads/'.length) : undefined;
    const fallbackBranch = payload.repository?.default_branch;
    if (!after || ZERO.test(after) || payload.deleted) return { kind: 'none', scope: `push to ${payload.ref ?? '?'}`, reason: 'the push deleted the branch: nothing to scan' };
    if (before === after) return { kind: 'none', scope: `push to ${payload.ref ?? '?'}`, reason: `before equals after (${short(after)}): the push added no commits, nothing to scan` };
    if (!before || ZERO.test(before)) {
      return { kind: 'range', base: '0'.repeat(40), head: after, branch, fallbackBranch, commits: payload.commits?.length, scope: `new branch ${branch ?? payload.ref ?? ''}: commits up to ${short(after)}` };
    }
    return {
      kind: 'range',
      base: before,
      head: after,
      branch,
      fallbackBranch,
      forced: payload.forced === true,
      commits: payload.commits?.length,
      scope: `push to ${branch ?? payload.ref ?? '?'}${payload.forced ? ' (forced)' : ''}: ${short(before)}..${short(after)}`,
    };
  }
  return undefined;
}
