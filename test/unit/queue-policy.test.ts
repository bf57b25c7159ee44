import { describe, expect, it } from 'vitest';
import { pickNext, runningToCancel, sameCommit, type RunningBuild } from '../../engine/queue/policy.js';
import { missedPushes } from '../../engine/queue/reconcile.js';

const SHA_A = '199eddf46df50de8d02e99bf1c5fdb4101338224';
const SHA_B = '971d76ca309446a9c20381f6271cea8a59b4e40a';

describe('pickNext: which queued builds start now', () => {
  it('starts the oldest queued build first', () => {
    // Given three queued builds of different projects, listed out of order, and room for one
    const queued = [
      { id: 12, project: 'web' },
      { id: 10, project: 'api' },
      { id: 11, project: 'billing' },
    ];
    // When the queue picks
    const picked = pickNext(queued, [], 1);
    // Then the oldest one starts
    expect(picked).toEqual([10]);
  });

  it('starts at most one build per project, the oldest', () => {
    const queued = [
      { id: 3, project: 'api' },
      { id: 1, project: 'api' },
      { id: 2, project: 'web' },
      { id: 4, project: 'api' },
    ];
    expect(pickNext(queued, [], 10)).toEqual([1, 2]);
  });

  it('starts no more than the parallel limit, counting builds already running', () => {
    const queued = [
      { id: 5, project: 'a' },
      { id: 6, project: 'b' },
      { id: 7, project: 'c' },
    ];
    // room for three, two taken by running builds of other projects
    expect(pickNext(queued, [{ project: 'x' }, { project: 'y' }], 3)).toEqual([5]);
    // no room at all
    expect(pickNext(queued, [{ project: 'x' }, { project: 'y' }], 2)).toEqual([]);
    // plenty of room
    expect(pickNext(queued, [], 3)).toEqual([5, 6, 7]);
  });

  it('skips a project that already has a build running, and starts the next project instead', () => {
    const queued = [
      { id: 1, project: 'api' },
      { id: 2, project: 'web' },
    ];
    expect(pickNext(queued, [{ project: 'api' }], 2)).toEqual([2]);
  });

  it('starts nothing when nothing is queued', () => {
    expect(pickNext([], [{ project: 'api' }], 4)).toEqual([]);
  });
});

describe('runningToCancel: what a new push cancels', () => {
  const opts = { productionBranch: 'main', cancelRunningFeatureBuilds: true };
  const running: RunningBuild[] = [
    { id: 1, project: 'api', branch: 'feature/login', sha: SHA_A },
    { id: 2, project: 'api', branch: 'feature/other', sha: SHA_A },
    { id: 3, project: 'web', branch: 'feature/login', sha: SHA_A },
    { id: 4, project: 'api', branch: 'main', sha: SHA_A },
  ];

  it('a new commit on a feature branch cancels that project-and-branch build only', () => {
    // Given builds running on several projects and branches
    // When a new commit of api's feature/login arrives
    const cancel = runningToCancel({ project: 'api', branch: 'feature/login', sha: SHA_B }, running, opts);
    // Then only api's feature/login build is cancelled
    expect(cancel).toEqual([1]);
  });

  it('a new commit whose sha is not known yet still cancels the older feature build', () => {
    expect(runningToCancel({ project: 'api', branch: 'feature/login' }, running, opts)).toEqual([1]);
  });

  it('never cancels on the production branch', () => {
    expect(runningToCancel({ project: 'api', branch: 'main', sha: SHA_B }, running, opts)).toEqual([]);
  });

  it('never cancels when the policy is off', () => {
    expect(
      runningToCancel({ project: 'api', branch: 'feature/login', sha: SHA_B }, running, { ...opts, cancelRunningFeatureBuilds: false }),
    ).toEqual([]);
  });

  it('never cancels a build of the same commit, whether the shas are full or abbreviated', () => {
    // a redelivery of the same push
    expect(runningToCancel({ project: 'api', branch: 'feature/login', sha: SHA_A }, running, opts)).toEqual([]);
    // the new request names the commit abbreviated, the running build has the full sha
    expect(runningToCancel({ project: 'api', branch: 'feature/login', sha: SHA_A.slice(0, 7) }, running, opts)).toEqual([]);
    // the running build was requested abbreviated (and in capitals), the push has the full sha
    const abbreviated: RunningBuild[] = [{ id: 9, project: 'api', branch: 'feature/login', sha: SHA_A.slice(0, 12).toUpperCase() }];
    expect(runningToCancel({ project: 'api', branch: 'feature/login', sha: SHA_A }, abbreviated, opts)).toEqual([]);
    expect(runningToCancel({ project: 'api', branch: 'feature/login', sha: SHA_B }, abbreviated, opts)).toEqual([9]);
  });
});

describe('sameCommit', () => {
  it('matches a full sha with its abbreviation either way round, and nothing else', () => {
    expect(sameCommit(SHA_A, SHA_A.slice(0, 7))).toBe(true);
    expect(sameCommit(SHA_A.slice(0, 7), SHA_A)).toBe(true);
    expect(sameCommit(SHA_A, SHA_A.toUpperCase())).toBe(true);
    expect(sameCommit(SHA_A, SHA_B)).toBe(false);
    expect(sameCommit(SHA_A.slice(0, 7), SHA_B.slice(0, 7))).toBe(false);
  });
});

describe('missedPushes: watched branches that moved while greenci was not listening', () => {
  it('a branch whose head is the commit last built needs nothing', () => {
    expect(missedPushes([{ branch: 'main', head: SHA_A, lastBuilt: SHA_A }])).toEqual([]);
    // the last build recorded the requested sha abbreviated
    expect(missedPushes([{ branch: 'main', head: SHA_A, lastBuilt: SHA_A.slice(0, 7) }])).toEqual([]);
  });

  it('a branch whose head moved is queued at the new head', () => {
    expect(missedPushes([{ branch: 'main', head: SHA_B, lastBuilt: SHA_A }])).toEqual([{ branch: 'main', sha: SHA_B }]);
  });

  it('a branch with no head (deleted) needs nothing', () => {
    expect(missedPushes([{ branch: 'feature/gone', lastBuilt: SHA_A }, { branch: 'feature/never' }])).toEqual([]);
  });

  it('a watched branch never built is left alone: a fresh install does not build on its own', () => {
    expect(missedPushes([{ branch: 'develop', head: SHA_A }])).toEqual([]);
  });

  it('only the branches that moved are queued, in the order given', () => {
    const states = [
      { branch: 'main', head: SHA_A, lastBuilt: SHA_A },
      { branch: 'develop', head: SHA_B, lastBuilt: SHA_A },
      { branch: 'feature/gone', lastBuilt: SHA_B },
      { branch: 'release', head: SHA_B, lastBuilt: SHA_A.slice(0, 7) },
      { branch: 'fresh', head: SHA_A },
    ];
    expect(missedPushes(states)).toEqual([
      { branch: 'develop', sha: SHA_B },
      { branch: 'release', sha: SHA_B },
    ]);
  });
});
