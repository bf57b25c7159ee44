import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import type { BuildRecord, ProductionHold } from '../../engine/model.js';
import { emptySnapshot, reduce } from '../../engine/state.js';
import { environmentRows } from '../../views/format/environment-rows.js';
import { holdLine } from '../../views/format/hold-text.js';
import { statusText } from '../../views/format/status-lines.js';
import { openRelease, releaseCandidate, releaseDialogKey } from '../../views/ui/release-key.js';
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
