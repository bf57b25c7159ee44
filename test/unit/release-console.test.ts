import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import type { BuildRecord, ProductionHold } from '../../engine/model.js';
import { emptySnapshot, reduce } from '../../engine/state.js';
import { environmentRows } from '../../views/format/environment-rows.js';
import { holdLine } from '../../views/format/hold-text.js';
import { statusText } from '../../views/format/status-lines.js';
import { canarySentence, defaultCanary, stepDuration, stepWeight, typeWeight } from '../../views/ui/canary-choice.js';
import { noCanaryReason, openRelease, releaseCandidate, releaseDialogKey } from '../../views/ui/release-key.js';
import { initialUi, type ReleaseOverlay } from '../../views/ui/state.js';

/** A local-time instant: printed clock times do not depend on the machine's time zone. */
const SINCE = new Date(2026, 10, 28, 14, 3, 5).getTime();
const NOW = SINCE + 5 * 60_000;
const hold: ProductionHold = {
  id: 3,
  project: 'green',
  by: 'bob',
  since: SINCE,
  reason: 'rolled back from v0.4.0 to v0.3.0',
  version: 'v0.3.0',
};
const noKey = {} as Key;

const build = (id: number, o: Partial<BuildRecord> = {}): BuildRecord => ({
  id,
  project: 'green',
  branch: 'master',
  sha: `${id}`.padStart(40, 'a'),
  commitSubject: `commit ${id}`,
  refSlug: 'master',
  trigger: 'push',
  status: 'success',
  createdAt: id,
  stages: [{ name: 'promote', title: 'promote', status: 'skipped' }],
  ...o,
});

describe('the hold where people look', () => {
  it('greenci status says production is held, by whom, since when, why and how to release', () => {
    const s = reduce(
      reduce(emptySnapshot(), {
        type: 'deployment.updated',
        deployment: {
          id: 1,
          project: 'green',
          env: 'production',
          kind: 'rollback',
          status: 'success',
          releaseId: 3,
          version: 'v0.3.0',
          startedAt: SINCE,
          finishedAt: SINCE,
        },
      }),
      { type: 'hold.updated', hold },
    );
    const lines = statusText(s, undefined, NOW).split('\n');
    expect(lines.find((l) => l.startsWith('green '))).toMatch(/^green +v0\.3\.0 \(held\) +rollback v0\.3\.0 success /);
    expect(lines).toContain(
      'production green is held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0): new builds are tested, not released; greenci release green releases the newest (--lift: lift the hold only)',
    );
    expect(holdLine(hold)).toBe(lines.find((l) => l.startsWith('production green is held'))!);
  });

  it("the Environments pane's production heading says who holds it and for how long", () => {
    const rows = environmentRows(
      {
        environments: { green: {} },
        live: { green: { version: 'v0.3.0', releaseId: 3 } },
        holds: { green: hold },
        containers: [],
        health: {},
      },
      100,
      NOW,
    );
    expect(rows.find((r) => r.key === 'env:green:production')!.text).toBe(
      'green production v0.3.0 live  held by bob 5m ago  never deployed',
    );
    const free = environmentRows({ environments: { green: {} }, live: {}, containers: [], health: {} }, 100, NOW);
    expect(free.find((r) => r.key === 'env:green:production')!.text).toBe('green production no release live  never deployed');
  });
});

describe('the console release key (p)', () => {
  const builds = [
    build(15, { branch: 'feature-x', stages: [] }),
    build(14, { status: 'failed' }),
    build(13),
    build(12),
    build(11, { project: 'blog' }),
  ];

  it('offers the selected production build that passed, else the newest one', () => {
    expect(releaseCandidate(builds, 'green', 12)?.id).toBe(12);
    expect(releaseCandidate(builds, 'green', 14)?.id).toBe(13);
    expect(releaseCandidate(builds, 'green', 15)?.id).toBe(13);
    expect(releaseCandidate(builds, 'green')?.id).toBe(13);
    expect(releaseCandidate(builds, 'shop')).toBeUndefined();
  });

  it('asks first, naming the change and the hold it lifts; y releases, l lifts only, n leaves production alone', () => {
    const ui = openRelease(initialUi(), { project: 'green', builds, holds: { green: hold }, live: 'v0.3.0', busy: false });
    const o = ui.overlay as ReleaseOverlay;
    expect(o).toEqual({
      kind: 'confirm-release',
      project: 'green',
      from: 'v0.3.0',
      build: { id: 13, sha: build(13).sha, subject: 'commit 13' },
      hold: { by: 'bob', reason: 'rolled back from v0.4.0 to v0.3.0', since: SINCE },
    });
    expect(releaseDialogKey(ui, o, 'y', noKey).effects).toEqual([{ type: 'release', project: 'green', build: 13 }]);
    expect(releaseDialogKey(ui, o, 'l', noKey).effects).toEqual([{ type: 'lift-hold', project: 'green' }]);
    const no = releaseDialogKey(ui, o, 'n', noKey);
    expect([no.effects, no.ui.overlay, no.ui.status?.text]).toEqual([[], undefined, 'production left as it is']);
    expect(releaseDialogKey(ui, o, 'x', noKey)).toEqual({ ui, effects: [] });
  });

  it('with only a hold, offers lifting it; with neither, or during a production change, says why not', () => {
    const liftOnly = openRelease(initialUi(), { project: 'shop', builds, holds: { shop: { ...hold, project: 'shop' } }, busy: false });
    const o = liftOnly.overlay as ReleaseOverlay;
    expect(o.build).toBeUndefined();
    expect(releaseDialogKey(liftOnly, o, 'y', noKey).effects).toEqual([]);
    expect(releaseDialogKey(liftOnly, o, 'l', noKey).effects).toEqual([{ type: 'lift-hold', project: 'shop' }]);
    const nothing = openRelease(initialUi(), { project: 'shop', builds, holds: {}, busy: false });
    expect([nothing.overlay, nothing.status?.text]).toEqual([undefined, 'no production build of shop has passed yet: nothing to release']);
    const busy = openRelease(initialUi(), { project: 'green', builds, holds: {}, busy: true });
    expect(busy.status?.text).toBe('a production change is already in progress');
  });
});

describe('the console release key (p) as a canary (c)', () => {
  const left = { leftArrow: true } as Key;
  const right = { rightArrow: true } as Key;
  const up = { upArrow: true } as Key;
  const down = { downArrow: true } as Key;
  const esc = { escape: true } as Key;
  const open = (o: Partial<ReleaseOverlay> = {}) => {
    const overlay: ReleaseOverlay = {
      kind: 'confirm-release',
      project: 'green',
      from: 'v0.3.0',
      build: { id: 13, sha: build(13).sha!, subject: 'commit 13' },
      ...o,
    };
    return { ...initialUi(), overlay };
  };
  /** Presses keys in the dialog one after another; the dialog as it is after them, and what the last asked for. */
  const press = (ui: ReturnType<typeof open>, ...keys: (string | Key)[]) => {
    let effects: unknown[] = [];
    for (const k of keys) {
      const t = releaseDialogKey(ui, ui.overlay as ReleaseOverlay, typeof k === 'string' ? k : '', typeof k === 'string' ? noKey : k);
      ui = t.ui as typeof ui;
      effects = t.effects;
    }
    return { ui, o: ui.overlay as ReleaseOverlay | undefined, effects };
  };

  it('c turns on 10% for 5m (as greenci release --canary 10); y sends exactly that; c again drops it', () => {
    expect(press(open(), 'c').o?.canary).toEqual({ weight: 10, forMs: 300_000 });
    expect(press(open(), 'c', 'y').effects).toEqual([
      { type: 'release', project: 'green', build: 13, canary: { weight: 10, forMs: 300_000 } },
    ]);
    const off = press(open(), 'c', right, up, 'c');
    expect(off.o?.canary).toBeUndefined();
    expect(press(off.ui, 'y').effects).toEqual([{ type: 'release', project: 'green', build: 13 }]);
  });

  it('←→ step the share between 1 and 50; digits type any whole percent in that range; a 0 that would leave it is ignored', () => {
    const weights = (...keys: (string | Key)[]) => press(open(), 'c', ...keys).o?.canary?.weight;
    expect([weights(right), weights(right, right, right, right, right), weights(left, left, left, left, left)]).toEqual([20, 50, 1]);
    expect([weights('2', '5'), weights('2', '5', '3'), weights('2', '5', '3', '0'), weights('7', '0'), weights('0')]).toEqual([
      25, 3, 30, 7, 10,
    ]);
    expect(weights('1', '3', right)).toBe(20); // a typed 13 steps to the next stop
    expect(weights('1', '3', left)).toBe(10);
    expect(stepWeight({ weight: 50, forMs: 60_000 }, 1)).toEqual({ weight: 50, forMs: 60_000 });
    expect(typeWeight({ weight: 50, forMs: 60_000, typed: '5' }, '9')).toEqual({ weight: 9, forMs: 60_000, typed: '9' });
  });

  it('↑↓ choose the duration among 1m, 5m, 15m and 30m, stopping at either end', () => {
    const forMs = (...keys: (string | Key)[]) => press(open(), 'c', ...keys).o?.canary?.forMs;
    expect([forMs(up), forMs(up, up, up), forMs(down), forMs(down, down), forMs('k'), forMs('j')]).toEqual([
      900_000, 1_800_000, 60_000, 60_000, 900_000, 60_000,
    ]);
    expect(stepDuration({ ...defaultCanary(), forMs: 42_000 }, 1).forMs).toBe(900_000);
  });

  it('says in one sentence what the canary will do', () => {
    expect(canarySentence('green', 'v0.4.0', 'v0.3.0', { weight: 10, forMs: 300_000 })).toBe(
      'production green: v0.4.0 takes 10% of requests for 5m, then every request if healthy (else it is aborted); v0.3.0 keeps the rest',
    );
  });

  it('Esc, n or q leave production as it is and send nothing, whatever canary was being picked', () => {
    for (const k of [esc, 'n', 'q']) {
      const r = press(open(), 'c', right, up, k);
      expect([r.effects, r.o, r.ui.status?.text]).toEqual([[], undefined, 'production left as it is']);
    }
  });

  it('offers no canary with nothing live, or when the build is the live release; the share keys do nothing then', () => {
    const nothingLive = open({ from: undefined });
    expect(noCanaryReason(nothingLive.overlay as ReleaseOverlay)).toBe('nothing live to share requests with');
    expect(press(nothingLive, 'c', right, '2').o?.canary).toBeUndefined();
    expect(press(nothingLive, 'c', 'y').effects).toEqual([{ type: 'release', project: 'green', build: 13 }]);
    const same = open({ from: 'v0.3.0', build: { id: 13, sha: build(13).sha!, version: 'v0.3.0' } });
    expect(noCanaryReason(same.overlay as ReleaseOverlay)).toBe('build #13 is v0.3.0, already live');
    expect(press(same, 'c').o?.canary).toBeUndefined();
    expect(noCanaryReason(open().overlay as ReleaseOverlay)).toBeUndefined();
  });
});
