import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';

const SPEC = { services: [], tests: [], environments: {} } as never;

/** Holds on production and releases of a commit released before, on real SQLite (migration 9). */
describe('holds and releases on real SQLite', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  it('one hold on per project: placing another lifts the first; lifting records who and which release build', () => {
    store = openStore(':memory:');
    const first = store.holds.place({ project: 'green', by: 'bob', reason: 'rolled back from v0.4.0 to v0.3.0', version: 'v0.3.0' }, 1000);
    expect(store.holds.current('green')).toEqual({
      id: first.id,
      project: 'green',
      by: 'bob',
      since: 1000,
      reason: 'rolled back from v0.4.0 to v0.3.0',
      version: 'v0.3.0',
    });
    const second = store.holds.place({ project: 'green', by: 'carol', reason: 'rolled back from v0.3.0 to v0.2.0' }, 2000);
    expect(store.holds.get(first.id)).toMatchObject({ liftedAt: 2000, liftedBy: 'carol' });
    expect(store.holds.current('green')?.id).toBe(second.id);
    expect(store.holds.current('blog')).toBeUndefined();

    const build = store.builds.create({ project: 'green', branch: 'master', refSlug: 'master', trigger: 'release', stages: [] });
    expect(store.holds.lift('green', 'alice', build, 3000)).toMatchObject({
      id: second.id,
      liftedAt: 3000,
      liftedBy: 'alice',
      liftedByBuild: build,
    });
    expect(store.holds.current('green')).toBeUndefined();
    expect(store.holds.liftedBy(build)?.id).toBe(second.id);
    expect(store.holds.lift('green', 'alice')).toBeUndefined();
  });

  it('a commit released before keeps its version: the same version of the same commit recorded again is that release', () => {
    store = openStore(':memory:');
    const release = { project: 'green', version: 'v0.4.0', sha: 'a'.repeat(40), images: {}, spec: SPEC, tagPushed: false };
    const d1 = store.releases.startDeployment({ project: 'green', env: 'production', kind: 'promote', version: 'v0.4.0' });
    const first = store.releases.recordRelease(d1, release);
    const d2 = store.releases.startDeployment({ project: 'green', env: 'production', kind: 'promote', version: 'v0.4.0' });
    const again = store.releases.recordRelease(d2, release);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.release.id).toBe(first.release.id);
    expect(store.releases.releases('green').map((r) => r.version)).toEqual(['v0.4.0']);
    expect(store.releases.ofCommit('green', 'a'.repeat(40))?.version).toBe('v0.4.0');
    expect(store.releases.liveRelease('green')?.id).toBe(first.release.id);
    expect(store.releases.deployments('green', 'production').map((d) => [d.id, d.releaseId, d.status])).toEqual([
      [d2, first.release.id, 'success'],
      [d1, first.release.id, 'success'],
    ]);
  });

  it('what a build tested is kept for greenci release and carried by a build made from it', () => {
    store = openStore(':memory:');
    const tested = {
      commit: { sha: 'b'.repeat(40), subject: 'feat: x', message: 'feat: x', authorName: 'Dev', authorEmail: 'dev@x' },
      spec: SPEC,
      images: { billing: 'sha256:1' },
    };
    const id = store.builds.create({ project: 'green', branch: 'master', refSlug: 'master', trigger: 'push', stages: [] });
    expect(store.builds.tested(id)).toBeUndefined();
    store.builds.setTested(id, tested);
    expect(store.builds.tested(id)).toEqual(tested);
    const release = store.builds.create({ project: 'green', branch: 'master', refSlug: 'master', trigger: 'release', stages: [], tested });
    expect(store.builds.tested(release)).toEqual(tested);
    expect(store.builds.get(release)).not.toHaveProperty('tested');
  });
});
