import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import type { CanaryState, TrafficView } from '../../engine/model.js';
import { emptySnapshot, reduce, type Snapshot } from '../../engine/state.js';
import { environmentRows } from '../../views/format/environment-rows.js';
import { statusText } from '../../views/format/status-lines.js';
import { errorsText, sharesText, trafficLine, trafficRows } from '../../views/format/traffic-text.js';
import { canaryDialogKey, openCanary } from '../../views/ui/canary-key.js';
import { type CanaryOverlay, initialUi } from '../../views/ui/state.js';

/** Local-time instants: printed clock times do not depend on the machine's time zone. */
const SINCE = new Date(2026, 10, 28, 14, 1, 5).getTime();
const UNTIL = SINCE + 2 * 60_000;
const NOW = SINCE + 55_000;
const noKey = {} as Key;

const live: TrafficView = {
  project: 'green',
  proxy: 'running',
  apps: [
    {
      app: 'billing',
      listen: '127.0.0.1:8001',
      shares: [{ release: 'v0.3.0', weight: 100 }],
      counts: [
        { release: 'v0.2.0', requests: 40, errors5xx: 1 },
        { release: 'v0.3.0', requests: 1200, errors5xx: 0 },
      ],
    },
    {
      app: 'weight',
      listen: '127.0.0.1:8002',
      shares: [{ release: 'v0.3.0', weight: 100 }],
      counts: [{ release: 'v0.3.0', requests: 600, errors5xx: 0 }],
    },
  ],
};

/** The same proxy with v0.4.0 as a 10 % canary (in the slot before the live one, as slot b can be). */
const canaryTraffic: TrafficView = {
  ...live,
  apps: live.apps.map((a) => ({
    ...a,
    shares: [
      { release: 'v0.4.0', weight: 10 },
      { release: 'v0.3.0', weight: 90 },
    ],
  })),
};

const canary: CanaryState = {
  project: 'green',
  buildId: 14,
  version: 'v0.4.0',
  live: 'v0.3.0',
  weight: 10,
  since: SINCE,
  until: UNTIL,
  canary: { requests: 120, errors5xx: 1 },
  liveTraffic: { requests: 1080, errors5xx: 0 },
};

/** green live on v0.3.0, as the reducer has it after its promotion. */
const snapshot = (): Snapshot =>
  reduce(emptySnapshot(), {
    type: 'deployment.updated',
    deployment: {
      id: 1,
      project: 'green',
      env: 'production',
      kind: 'promote',
      status: 'success',
      releaseId: 3,
      version: 'v0.3.0',
      startedAt: SINCE - 600_000,
      finishedAt: SINCE - 600_000,
    },
  });

describe('where production traffic goes, in words', () => {
  it('one release takes an app; two share it, the larger first; none: nothing', () => {
    expect(sharesText([{ release: 'v0.3.0', weight: 100 }])).toBe('v0.3.0');
    expect(sharesText(canaryTraffic.apps[0].shares)).toBe('v0.3.0 90% + v0.4.0 10%');
    expect(
      sharesText([
        { release: 'v0.4.0', weight: 50 },
        { release: 'v0.3.0', weight: 50 },
      ]),
    ).toBe('v0.3.0 50% + v0.4.0 50%');
    expect(sharesText([])).toBe('nothing');
    expect(errorsText({ requests: 120, errors5xx: 1 })).toBe('0.8% (1/120)');
    expect(errorsText({ requests: 0, errors5xx: 0 })).toBe('0/0');
  });

  it('greenci status: a traffic line per project through the proxy; the canary with its end and 5xx counts; the proxy down', () => {
    expect(trafficLine(live)).toBe('traffic green: billing :8001 → v0.3.0; weight :8002 → v0.3.0');
    expect(trafficLine(canaryTraffic, canary)).toBe(
      'traffic green: billing :8001 → v0.3.0 90% + v0.4.0 10%; weight :8002 → v0.3.0 90% + v0.4.0 10% (canary until 14:03:05, canary 5xx 1/120, live 0/1080)',
    );
    expect(trafficLine({ ...live, proxy: 'down' })).toBe(
      'traffic green: front proxy down (set for billing :8001 → v0.3.0; weight :8002 → v0.3.0)',
    );
    // apps by name, whatever order the proxy holds them in
    expect(trafficLine({ ...live, apps: [...live.apps].reverse() })).toBe(trafficLine(live));
    expect(trafficLine({ project: 'green', proxy: 'none', apps: [] })).toBeUndefined();
    expect(trafficLine({ ...live, apps: [{ ...live.apps[0], listen: '[::1]:8001', shares: [] }] })).toBe(
      'traffic green: billing :8001 → nothing',
    );
  });

  it('greenci status prints the traffic lines after the table, only for projects through the proxy', () => {
    const s = { ...snapshot(), canaries: { green: canary } };
    const lines = statusText(s, undefined, NOW, { green: canaryTraffic }).split('\n');
    expect(lines.filter((l) => l.startsWith('traffic'))).toEqual([
      'traffic green: billing :8001 → v0.3.0 90% + v0.4.0 10%; weight :8002 → v0.3.0 90% + v0.4.0 10% (canary until 14:03:05, canary 5xx 1/120, live 0/1080)',
    ]);
    expect(lines[lines.findIndex((l) => l.startsWith('traffic')) - 1]).toBe('');
    expect(statusText(snapshot(), undefined, NOW, { green: { project: 'green', proxy: 'none', apps: [] } })).not.toContain('traffic');
    expect(statusText(snapshot(), undefined, NOW)).not.toContain('traffic');
  });

  it('the Environments pane: a traffic row under production; a canary row with its share, time left, 5xx of both and the keys', () => {
    expect(trafficRows('green', live, undefined, 100, NOW).map((r) => [r.key, r.text])).toEqual([
      ['env:green:production:traffic', 'green production   traffic  billing :8001, weight :8002 → v0.3.0'],
    ]);
    expect(trafficRows('green', canaryTraffic, canary, 200, NOW).map((r) => r.text)).toEqual([
      'green production   traffic  billing :8001, weight :8002 → v0.3.0 90% + v0.4.0 10%',
      'green production   canary   v0.4.0 10%, 1m05s left  5xx 0.8% (1/120), live v0.3.0 0.0% (0/1080)  + promote  - abort',
    ]);
    // past its time, while its last checks run
    expect(trafficRows('green', undefined, canary, 200, UNTIL + 500)[0].text).toContain('v0.4.0 10%, ending  5xx');
    expect(trafficRows('green', { ...live, proxy: 'down' }, undefined, 100, NOW)[0].text).toBe(
      'green production   traffic  front proxy down  set for billing :8001, weight :8002 → v0.3.0',
    );
    // apps served differently each say their own
    expect(
      trafficRows('green', { ...live, apps: [canaryTraffic.apps[0], live.apps[1]] }, undefined, 200, NOW)[0].segments.map((x) => x.text),
    ).toEqual(['  traffic  ', 'billing :8001 → ', 'v0.3.0 90% + v0.4.0 10%', '  weight :8002 → ', 'v0.3.0']);
    expect(trafficRows('green', { project: 'green', proxy: 'none', apps: [] }, undefined, 100, NOW)).toEqual([]);
    // an ended canary (its last update) is not shown
    expect(trafficRows('green', undefined, { ...canary, outcome: 'promoted' }, 100, NOW)).toEqual([]);
    // cut to the pane's width
    expect(
      trafficRows('green', canaryTraffic, canary, 40, NOW)[1]
        .segments.map((s) => s.text)
        .join(''),
    ).toBe('  canary   v0.4.0 10%, 1m05s left  5xx …');
  });

  it('the Environments pane puts them right under the production heading', () => {
    const s = snapshot();
    const rows = environmentRows(
      { ...s, canaries: { green: canary }, traffic: { green: canaryTraffic }, containers: [], health: {} },
      200,
      NOW,
    );
    expect(rows.slice(0, 3).map((r) => r.key)).toEqual([
      'env:green:production',
      'env:green:production:traffic',
      'env:green:production:canary',
    ]);
  });
});

describe('the console canary keys (+ promote, - abort)', () => {
  it("asks first about the selected project's canary, naming it; y decides it, n leaves it running", () => {
    const ui = openCanary(initialUi(), { project: 'green', canaries: { green: canary }, decision: 'promote' });
    const o = ui.overlay as CanaryOverlay;
    expect(o).toEqual({ kind: 'confirm-canary', project: 'green', decision: 'promote', version: 'v0.4.0', live: 'v0.3.0', weight: 10 });
    expect(canaryDialogKey(ui, o, 'y', noKey)).toEqual({
      ui: { ...ui, overlay: undefined },
      effects: [{ type: 'canary', project: 'green', decision: 'promote', version: 'v0.4.0', live: 'v0.3.0' }],
    });
    const no = canaryDialogKey(ui, o, 'n', noKey);
    expect([no.effects, no.ui.overlay, no.ui.status?.text]).toEqual([[], undefined, 'canary v0.4.0 left running']);
    expect(canaryDialogKey(ui, o, 'x', noKey)).toEqual({ ui, effects: [] });
    const abort = openCanary(initialUi(), { project: 'green', canaries: { green: canary }, decision: 'abort' });
    expect(canaryDialogKey(abort, abort.overlay as CanaryOverlay, 'y', noKey).effects).toEqual([
      { type: 'canary', project: 'green', decision: 'abort', version: 'v0.4.0', live: 'v0.3.0' },
    ]);
  });

  it('the only running canary when the selected project has none; says why when there is none to decide', () => {
    const other = openCanary(initialUi(), { project: 'shop', canaries: { green: canary }, decision: 'abort' });
    expect((other.overlay as CanaryOverlay).project).toBe('green');
    const none = openCanary(initialUi(), { project: 'green', canaries: {}, decision: 'promote' });
    expect([none.overlay, none.status?.text]).toEqual([undefined, 'no canary is running: nothing to promote']);
    const two = openCanary(initialUi(), {
      project: 'shop',
      canaries: { green: canary, blog: { ...canary, project: 'blog' } },
      decision: 'promote',
    });
    expect(two.status?.text).toBe('no canary of shop is running: select the project whose canary to promote (running: green, blog)');
  });
});
