import { describe, expect, it } from 'vitest';
import { decidePullRequest } from '../../engine/intake/pull-request.js';
import { pullRequestOf, pullRequestBranch } from '../../engine/git/ref-name.js';
import { payload, pullRequestPayload } from '../helpers/github.js';

const ALLOW = { build: true, forks: false };
const SHA = 'c'.repeat(40);

describe("a pull_request delivery (GitHub's recorded payloads)", () => {
  it('opened, reopened and synchronize build the head; GitHub sent them as they are', () => {
    for (const action of ['opened', 'reopened', 'synchronize'] as const) {
      const d = decidePullRequest(payload(`octokit-webhooks/pull_request/${action}.payload.json`), ALLOW);
      expect(d).toMatchObject({
        kind: 'build',
        number: 2,
        headRef: 'changes',
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        headRepo: 'Codertocat/Hello-World',
        baseRef: 'master',
        fork: false,
        author: 'Codertocat',
        title: 'Update the README with new information.',
      });
    }
  });

  it('closed says whether it was merged; labeled and other actions are ignored', () => {
    expect(decidePullRequest(payload('octokit-webhooks/pull_request/closed.payload.json'), ALLOW)).toMatchObject({
      kind: 'closed',
      number: 2,
      merged: false,
    });
    expect(decidePullRequest(payload('octokit-webhooks/pull_request/labeled.payload.json'), ALLOW)).toEqual({
      kind: 'ignored-action',
      action: 'labeled',
    });
  });

  it("a fork's pull request is refused unless forks are allowed; a deleted fork counts as a fork", () => {
    const fork = pullRequestPayload({ action: 'opened', repo: 'acme/green', number: 3, headSha: SHA, headRef: 'patch-1', fork: true });
    expect(decidePullRequest(fork, ALLOW)).toMatchObject({ kind: 'fork-refused', fork: true, headRepo: 'someone/green' });
    expect(decidePullRequest(fork, { build: true, forks: true })).toMatchObject({ kind: 'build', fork: true });
    fork.pull_request.head.repo = null;
    expect(decidePullRequest(fork, { build: true, forks: true })).toMatchObject({ kind: 'build', fork: true, headRepo: undefined });
    const same = pullRequestPayload({ action: 'opened', repo: 'Acme/Green', number: 3, headSha: SHA, headRef: 'x' });
    same.pull_request.head.repo.full_name = 'acme/green';
    expect(decidePullRequest(same, ALLOW)).toMatchObject({ kind: 'build', fork: false });
    expect(decidePullRequest(same, { build: false, forks: false })).toMatchObject({ kind: 'not-built' });
  });

  it('malformed deliveries are invalid, and long titles are cut', () => {
    const p = (edit: (x: Record<string, any>) => void) => {
      const x = pullRequestPayload({ action: 'opened', repo: 'acme/green', number: 3, headSha: SHA, headRef: 'x' });
      edit(x);
      return decidePullRequest(x, ALLOW);
    };
    expect(p((x) => delete x.action)).toMatchObject({ kind: 'invalid' });
    expect(p((x) => (x.number = -1))).toMatchObject({ kind: 'invalid', message: 'pull_request without a number' });
    expect(p((x) => (x.pull_request.head.sha = 'not-a-sha'))).toMatchObject({ kind: 'invalid' });
    expect(p((x) => (x.pull_request.base = 'x'))).toMatchObject({ kind: 'invalid' });
    expect(p((x) => (x.pull_request.head.ref = 'r'.repeat(1001)))).toMatchObject({
      kind: 'invalid',
      message: 'pull_request head.ref or base.ref over 1000 characters',
    });
    expect(p((x) => (x.pull_request.title = 'T'.repeat(10_000)))).toMatchObject({ kind: 'build', title: 'T'.repeat(200) });
  });

  it("a fork's head builds as pr:<n>, a name git refuses for a real branch", () => {
    expect(pullRequestBranch(12)).toBe('pr:12');
    expect(pullRequestOf('pr:12')).toBe(12);
    for (const b of ['pr:0', 'pr:12/x', 'pr:', 'feature', 'pr:1e3']) expect(pullRequestOf(b)).toBeUndefined();
  });
});
