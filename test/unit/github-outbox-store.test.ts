import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewGithubCall } from '../../engine/store/github-calls.js';
import { openStore, type Store } from '../../engine/store/index.js';

const status = (state: string, description: string, sha = 'a'.repeat(40)): NewGithubCall => ({
  project: 'green',
  repo: 'acme/green',
  kind: 'status',
  key: `status:${sha}:greenci/push`,
  body: { sha, state, context: 'greenci/push', description },
  summary: `${state} ${description}`,
  dedupeKey: `status:1:greenci/push:${state}:${description}`,
});

describe('the GitHub outbox', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(':memory:');
  });
  afterEach(() => store.close());

  it('sends only the newest waiting status per commit and context', () => {
    store.github.add(status('pending', 'queued'), 1);
    store.github.add(status('pending', 'running test'), 2);
    store.github.add(status('pending', 'other commit', 'b'.repeat(40)), 3);
    store.github.add(status('success', 'passed'), 4);
    expect(store.github.due(10).map((c) => c.summary)).toEqual(['pending other commit', 'success passed']);
    expect(store.github.reporting().pending).toBe(2);
  });

  it('one event gives one call: the same dedupe key again stores nothing', () => {
    expect(store.github.add(status('pending', 'queued'))).toBeDefined();
    expect(store.github.add(status('pending', 'queued'))).toBeUndefined();
    expect(store.github.list()).toHaveLength(1);
  });

  it("a deployment status waits for its deployment's GitHub id, and is given up if the deployment was", () => {
    const dep = store.github.add(
      { project: 'green', repo: 'acme/green', kind: 'deployment', key: 'deployment:green:1', body: {}, summary: 'd' },
      1,
    )!;
    store.github.add(
      {
        project: 'green',
        repo: 'acme/green',
        kind: 'deployment_status',
        key: 'ds:1',
        deploymentKey: 'deployment:green:1',
        body: {},
        summary: 's',
      },
      2,
    );
    expect(store.github.due(10).map((c) => c.kind)).toEqual(['deployment']);
    store.github.sent(dep.id, 4242, 5);
    expect(store.github.due(10).map((c) => c.kind)).toEqual(['deployment_status']);
    expect(store.github.deployment('deployment:green:1')?.githubId).toBe(4242);
  });

  it('forgets calls dealt with long ago, but not a deployment a waiting status still needs', () => {
    const old = store.github.add(status('success', 'passed'), 1)!;
    store.github.sent(old.id, 1, 2);
    const dep = store.github.add(
      { project: 'green', repo: 'acme/green', kind: 'deployment', key: 'deployment:green:1', body: {}, summary: 'd' },
      1,
    )!;
    store.github.sent(dep.id, 77, 2);
    store.github.add(
      {
        project: 'green',
        repo: 'acme/green',
        kind: 'deployment_status',
        key: 'ds:1',
        deploymentKey: 'deployment:green:1',
        body: {},
        summary: 's',
      },
      3,
    );
    const recent = store.github.add(status('pending', 'queued', 'b'.repeat(40)), 100)!;
    store.github.sent(recent.id, 2, 101);
    expect(store.github.forget(50)).toBe(1);
    expect(store.github.get(old.id)).toBeUndefined();
    expect(store.github.deployment('deployment:green:1')?.githubId).toBe(77);
    expect(store.github.get(recent.id)?.status).toBe('sent');
  });

  it('failing since the first failure after the last success; a success later clears it', () => {
    const a = store.github.add(status('pending', 'queued'), 1)!;
    store.github.attemptFailed(a.id, 'GitHub answered 503', 100, 10);
    store.github.attemptFailed(a.id, 'GitHub answered 503', 200, 20);
    expect(store.github.reporting()).toMatchObject({ pending: 1, failingSince: 10, lastError: { lastError: 'GitHub answered 503' } });
    store.github.sent(a.id, 1, 30);
    expect(store.github.reporting()).toMatchObject({ pending: 0, lastSentAt: 30 });
    expect(store.github.reporting().failingSince).toBeUndefined();
    const b = store.github.add(status('failure', 'failed'), 40)!;
    store.github.attemptFailed(b.id, 'GitHub answered 422: Validation Failed', undefined, 41);
    expect(store.github.get(b.id)?.status).toBe('failed');
    expect(store.github.reporting()).toMatchObject({ failingSince: 41 });
  });
});
