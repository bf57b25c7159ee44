import type { PullRequestRecord } from '../model.js';

/** Reading a `pull_request` delivery: what it asks greenci to do. Pure. */

/** What a delivery says of a pull request: the fields of its record that come from GitHub. */
export type PullRequestFacts = Pick<
  PullRequestRecord,
  'number' | 'headSha' | 'headRef' | 'headRepo' | 'baseRef' | 'fork' | 'author' | 'title'
>;

export type PullRequestDecision =
  | ({ kind: 'build' } & PullRequestFacts)
  /** A fork's pull request where the project does not build forks: recorded, reported, not built. */
  | ({ kind: 'fork-refused' } & PullRequestFacts)
  /** `build: false` for the project: recorded, not built. */
  | ({ kind: 'not-built' } & PullRequestFacts)
  | ({ kind: 'closed'; merged: boolean } & PullRequestFacts)
  | { kind: 'ignored-action'; action: string }
  | { kind: 'invalid'; message: string };

/** The actions that put a new head in front of greenci. */
const BUILT = new Set(['opened', 'reopened', 'synchronize']);
const MAX_TITLE = 200;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** What a `pull_request` delivery asks for, given whether the project builds pull requests and forks' ones. */
export function decidePullRequest(payload: Record<string, unknown>, o: { build: boolean; forks: boolean }): PullRequestDecision {
  const action = str(payload.action);
  if (!action) return { kind: 'invalid', message: 'pull_request without an action' };
  if (!BUILT.has(action) && action !== 'closed') return { kind: 'ignored-action', action: action.slice(0, 40) };
  const pr = obj(payload.pull_request);
  const number = payload.number ?? pr?.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
    return { kind: 'invalid', message: 'pull_request without a number' };
  const head = obj(pr?.head);
  const base = obj(pr?.base);
  const headSha = str(head?.sha);
  if (!headSha || !/^[0-9a-f]{40}$/i.test(headSha)) return { kind: 'invalid', message: 'pull_request without a head commit (head.sha)' };
  const headRef = str(head?.ref);
  const baseRef = str(base?.ref);
  const baseRepo = str(obj(base?.repo)?.full_name);
  if (!headRef || !baseRef || !baseRepo) return { kind: 'invalid', message: 'pull_request without head.ref, base.ref or base.repo' };
  // git's own limit on a branch name is far below this; a fork's ref is stored, so it is bounded here
  if (headRef.length > 1000 || baseRef.length > 1000)
    return { kind: 'invalid', message: 'pull_request head.ref or base.ref over 1000 characters' };
  const headRepo = str(obj(head?.repo)?.full_name);
  const facts: PullRequestFacts = {
    number,
    headSha: headSha.toLowerCase(),
    headRef,
    headRepo,
    baseRef,
    fork: !headRepo || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
    author: str(obj(pr?.user)?.login)?.slice(0, 100),
    title: str(pr?.title)?.slice(0, MAX_TITLE),
  };
  if (action === 'closed') return { kind: 'closed', merged: pr?.merged === true, ...facts };
  if (!o.build) return { kind: 'not-built', ...facts };
  if (facts.fork && !o.forks) return { kind: 'fork-refused', ...facts };
  return { kind: 'build', ...facts };
}
