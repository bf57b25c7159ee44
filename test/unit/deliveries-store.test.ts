import { afterEach, describe, expect, it } from 'vitest';
import { KEEP_UNATTRIBUTED } from '../../engine/store/deliveries.js';
import { openStore, type Store } from '../../engine/store/index.js';

/** What the deliveries table keeps of input nobody authenticated: bounded rows, a bounded count. */
describe('the deliveries table on real SQLite', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  it('cuts every stored string, so one delivery is a bounded row', () => {
    store = openStore(':memory:');
    store.deliveries.record({
      id: 'd1',
      event: 'push',
      project: 'green',
      via: 'direct',
      outcome: 'invalid',
      ref: 'r'.repeat(100_000),
      detail: 'x'.repeat(100_000),
    });
    const row = store.deliveries.get('d1')!;
    expect(row.ref!.length).toBeLessThanOrEqual(300);
    expect(row.detail!.length).toBeLessThanOrEqual(1000);
    expect(row.ref!.endsWith('…')).toBe(true);
  });

  it("keeps only the newest unattributed deliveries, and never touches a project's", () => {
    store = openStore(':memory:');
    store.deliveries.record({ id: 'mine', event: 'push', project: 'green', via: 'direct', outcome: 'queued' }, 1);
    for (let i = 0; i < KEEP_UNATTRIBUTED + 50; i++) {
      expect(
        store.deliveries.recordUnattributed(
          { id: `u${i}`, event: 'push', repository: `someone/r${i}`, via: 'direct', outcome: 'unknown-repository' },
          1000 + i,
        ),
      ).toBe(true);
    }
    expect(
      store.deliveries.recordUnattributed({
        id: `u${KEEP_UNATTRIBUTED + 10}`,
        event: 'push',
        repository: 'again',
        via: 'direct',
        outcome: 'unknown-repository',
      }),
    ).toBe(false);
    expect(store.deliveries.count()).toBe(KEEP_UNATTRIBUTED + 1);
    expect(store.deliveries.get('u0')).toBeUndefined();
    expect(store.deliveries.get(`u${KEEP_UNATTRIBUTED + 49}`)).toMatchObject({ repository: `someone/r${KEEP_UNATTRIBUTED + 49}` });
    expect(store.deliveries.get('mine')).toMatchObject({ outcome: 'queued' });
  });
});
