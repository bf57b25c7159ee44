import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../engine/events.js';
import type { EngineEvent } from '../../engine/events.js';
import { closeInterruptedDeployments } from '../../engine/recovery.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { wellFormed } from '../../views/hooks/use-engine-data.js';

describe('the preview store', () => {
  let store: Store;
  let build: number;
  beforeEach(() => {
    store = openStore(':memory:');
    build = store.builds.create({ project: 'green', branch: 'feature/a', refSlug: 'feature-a', trigger: 'push', stages: [] });
  });
  afterEach(() => store.close());

  const deploying = (branch: string, now: number) =>
    store.previews.deploying(
      { project: 'green', branch, envKey: `preview-${branch}`, buildId: build, sha: 'a'.repeat(40), ports: { web: 20100 } },
      now,
    );

  it("keeps one row per branch: a branch's next build replaces its state but not when it was first deployed", () => {
    deploying('a', 10);
    store.previews.settle('green', 'a', { endpoints: { web: 'http://127.0.0.1:20100/health' } }, 11);
    deploying('b', 20);
    const again = deploying('a', 30);
    expect(again).toMatchObject({ state: 'deploying', createdAt: 10, updatedAt: 30, endpoints: undefined });
    expect(store.previews.list('green').map((p) => p.branch)).toEqual(['a', 'b']);
    expect(store.previews.settle('green', 'a', { failed: 'app web unhealthy' }, 31)).toMatchObject({
      state: 'failed',
      reason: 'app web unhealthy',
    });
    expect(store.previews.remove('green', 'a')).toBe(true);
    expect(store.previews.remove('green', 'a')).toBe(false);
    expect(store.previews.all().map((p) => p.branch)).toEqual(['b']);
  });

  it('a preview deploy a dead process left is closed as interrupted, and the preview is failed, saying so', () => {
    deploying('a', 10);
    store.releases.startDeployment({ project: 'green', env: 'preview', target: 'a', kind: 'deploy', buildId: build });
    const bus = new EventBus();
    const seen: EngineEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    expect(closeInterruptedDeployments(store, ['green'], bus)).toEqual([{ project: 'green', env: 'preview', count: 1 }]);
    expect(store.releases.deployments('green', 'preview')[0]).toMatchObject({ status: 'interrupted', target: 'a' });
    expect(store.previews.get('green', 'a')).toMatchObject({ state: 'failed', reason: 'interrupted: greenci stopped while deploying it' });
    const announced = seen.find((e) => e.type === 'preview.updated');
    expect(announced).toMatchObject({ project: 'green', branch: 'a', preview: { state: 'failed' } });
    expect(wellFormed(announced)).toBe(true);
  });
});
