import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import { GithubReporter } from '../../engine/github/reporter.js';
import type { BuildRecord } from '../../engine/model.js';
import { openStore, type Store } from '../../engine/store/index.js';

const SHA = 'd'.repeat(40);
const config = (extra = '') =>
  parseConfig(
    ['projects:', '  green:', '    repo: /x.git', '    github: acme/green', '    githubApi:', '      tokenEnv: GH_TOKEN', extra, ''].join(
      '\n',
    ),
    '/tmp',
    { GH_TOKEN: 't' },
  ).config!;
const failed = (error: string): BuildRecord => ({
  id: 4,
  project: 'green',
  branch: 'f',
  sha: SHA,
  refSlug: 'f',
  trigger: 'push',
  status: 'failed',
  createdAt: 0,
  stages: [{ name: 'test', title: 't', status: 'failed', error }],
});

describe('what the reporter stores for GitHub', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(':memory:');
  });
  afterEach(() => store.close());

  it('masks secret values in descriptions, and still keeps them within 140 characters', () => {
    const r = new GithubReporter(
      store,
      () => config(),
      { GH_TOKEN: 't' },
      () => {},
      () => ['s3c7', 'hunter2'],
    );
    r.handle({ type: 'build.updated', build: failed(`tests failed: password hunter2 refused; key s3c7 ${'s3c7 '.repeat(40)}`) });
    const [call] = store.github.list();
    const text = JSON.stringify(call.body);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3c7');
    expect(call.body.description).toMatch(/^failed at test: tests failed: password \*{8} refused/);
    expect([...String(call.body.description)].length).toBeLessThanOrEqual(140);
  });

  it('stores nothing when the token variable is unset, or the project does not report', () => {
    new GithubReporter(
      store,
      () => config(),
      {},
      () => {},
    ).handle({ type: 'build.updated', build: failed('x') });
    expect(store.github.list()).toEqual([]);
  });

  it('after a crash: a build that ended without its status stored gets it at the next start, once; old history is left alone', () => {
    const now = Date.now();
    const id = store.builds.create(
      { project: 'green', branch: 'f', refSlug: 'f', trigger: 'push', requestedSha: SHA, stages: [] },
      now - 120_000,
    );
    store.builds.update(id, { status: 'failed', reason: 'killed', startedAt: now - 100_000, finishedAt: now - 60_000 });
    const ancient = store.builds.create(
      { project: 'green', branch: 'g', refSlug: 'g', trigger: 'push', requestedSha: 'e'.repeat(40), stages: [] },
      now - 86_400_000,
    );
    store.builds.update(ancient, { status: 'success', startedAt: now - 86_000_000, finishedAt: now - 85_000_000 });
    const r = new GithubReporter(
      store,
      () => config(),
      { GH_TOKEN: 't' },
      () => {},
    );
    r.catchUp(now);
    r.catchUp(now);
    const calls = store.github.list();
    expect(calls.map((c) => [c.body.sha, c.body.state])).toEqual([[SHA, 'failure']]);
  });

  it('one event, one call: the same build announced again in the same state stores nothing new', () => {
    let queued = 0;
    const r = new GithubReporter(
      store,
      () => config(),
      { GH_TOKEN: 't' },
      () => queued++,
    );
    r.handle({ type: 'build.updated', build: failed('x') });
    r.handle({ type: 'build.updated', build: failed('x') });
    expect(store.github.list()).toHaveLength(1);
    expect(queued).toBe(1);
  });
});
