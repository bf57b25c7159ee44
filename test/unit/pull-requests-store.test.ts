import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PullRequestRecord } from '../../engine/records.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { wellFormed } from '../../views/hooks/use-engine-data.js';

const pr = (o: Partial<PullRequestRecord> = {}): Omit<PullRequestRecord, 'updatedAt'> => ({
  project: 'green',
  number: 2,
  state: 'open',
  headSha: 'a'.repeat(40),
  headRef: 'changes',
  headRepo: 'acme/green',
  baseRef: 'main',
  fork: false,
  author: 'octocat',
  title: 'Update the README',
  ...o,
});

describe('the pull request store', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(':memory:');
  });
  afterEach(() => store.close());

  it('keeps one row per project and number; a later delivery replaces what an earlier one said', () => {
    store.pullRequests.save(pr(), 1);
    const moved = store.pullRequests.save(pr({ headSha: 'b'.repeat(40) }), 2);
    expect(moved).toMatchObject({ number: 2, headSha: 'b'.repeat(40), fork: false, updatedAt: 2 });
    expect(moved.buildId).toBeUndefined();
    expect(moved.closedAt).toBeUndefined();
    expect(store.pullRequests.list()).toHaveLength(1);
    expect(store.pullRequests.get('green', 2)?.headSha).toBe('b'.repeat(40));
    expect(store.pullRequests.get('green', 3)).toBeUndefined();
  });

  it("openOfCommit finds the open pull requests whose head is the commit, not closed ones or another project's", () => {
    const sha = 'c'.repeat(40);
    store.pullRequests.save(pr({ number: 1, headSha: sha }));
    store.pullRequests.save(pr({ number: 4, headSha: sha, fork: true, headRepo: undefined, notBuilt: 'not built: a fork' }));
    store.pullRequests.save(pr({ number: 5, headSha: sha, state: 'closed', closedAt: 9 }));
    store.pullRequests.save(pr({ project: 'other', number: 6, headSha: sha }));
    const open = store.pullRequests.openOfCommit('green', sha.toUpperCase());
    expect(open.map((p) => p.number)).toEqual([1, 4]);
    expect(open[1]).toMatchObject({ fork: true, notBuilt: 'not built: a fork' });
    expect(open[1].headRepo).toBeUndefined();
    expect(
      store.pullRequests
        .list('green')
        .map((p) => p.number)
        .sort(),
    ).toEqual([1, 4, 5]);
    expect(store.pullRequests.get('green', 5)).toMatchObject({ state: 'closed', closedAt: 9 });
  });

  it('the console takes a pull_request.updated event that carries its pull request, and drops one that does not', () => {
    const saved = store.pullRequests.save(pr());
    expect(wellFormed({ type: 'pull_request.updated', pullRequest: saved })).toBe(true);
    expect(wellFormed({ type: 'pull_request.updated' })).toBe(false);
    expect(wellFormed({ type: 'pull_request.updated', pullRequest: { project: 'green' } })).toBe(false);
  });
});
