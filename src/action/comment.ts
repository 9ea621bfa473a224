// One pull-request comment per PR, created on the first run with findings and updated on every
// later run, found again by a hidden marker (never a second comment). Plain `fetch` against the
// REST API at GITHUB_API_URL (github.com or GHES).

export const COMMENT_MARKER = '<!-- leakfix:pull-request-comment -->';
const MAX_BODY = 65_536;

export interface CommentTarget {
  apiUrl: string;
  token: string;
  /** owner/name */
  repo: string;
  pr: number;
}

export type CommentResult =
  | { action: 'created' | 'updated'; id: number; url?: string }
  | { action: 'skipped'; reason: string }
  | { action: 'failed'; status: number; reason: string };

function headers(token: string): Record<string, string> {
  return {
    Accept: 'application/vnd.github+json',
    Authorization: `Bearer ${token}`,
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'leakfix-action',
    'Content-Type': 'application/json',
  };
}

/** The body with the marker first, cut to GitHub's comment limit. */
export function commentBody(markdown: string): string {
  const body = `${COMMENT_MARKER}\n${markdown}`;
  if (body.length <= MAX_BODY) return body;
  const note = '\n\n…cut to fit GitHub\'s comment size limit: see the job summary for every finding.\n';
  return body.slice(0, MAX_BODY - note.length) + note;
}

async function failure(res: Response, what: string): Promise<CommentResult> {
  let message = '';
  try {
    message = ((await res.json()) as { message?: string }).message ?? '';
  } catch {
    /* not JSON */
  }
  return { action: 'failed', status: res.status, reason: `${what}: HTTP ${res.status}${message ? ` ${message}` : ''}` };
}

/**
 * Updates the marked comment if there is one; otherwise creates one, unless `createIfMissing` is
 * false (a clean run on a PR that never had findings stays silent).
 */
export async function upsertComment(target: CommentTarget, markdown: string, createIfMissing: boolean): Promise<CommentResult> {
  const base = `${target.apiUrl.replace(/\/+$/, '')}/repos/${target.repo}/issues`;
  const h = headers(target.token);
  let existing: { id: number } | undefined;
  for (let page = 1; !existing && page <= 50; page++) {
    const res = await fetch(`${base}/${target.pr}/comments?per_page=100&page=${page}`, { headers: h });
    if (!res.ok) return failure(res, 'listing pull request comments');
    const list = (await res.json()) as { id: number; body?: string }[];
    existing = list.find((c) => c.body?.includes(COMMENT_MARKER));
    if (list.length < 100) break;
  }
  const body = JSON.stringify({ body: commentBody(markdown) });
  if (existing) {
    const res = await fetch(`${base}/comments/${existing.id}`, { method: 'PATCH', headers: h, body });
    if (!res.ok) return failure(res, 'updating the pull request comment');
    const json = (await res.json()) as { id: number; html_url?: string };
    return { action: 'updated', id: json.id ?? existing.id, url: json.html_url };
  }
  if (!createIfMissing) return { action: 'skipped', reason: 'no findings and no earlier comment' };
  const res = await fetch(`${base}/${target.pr}/comments`, { method: 'POST', headers: h, body });
  if (!res.ok) return failure(res, 'creating the pull request comment');
  const json = (await res.json()) as { id: number; html_url?: string };
  return { action: 'created', id: json.id, url: json.html_url };
}
