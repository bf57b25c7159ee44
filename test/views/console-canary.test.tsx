import { afterEach, describe, expect, test } from 'vitest';
import type { CanaryState, TrafficView } from '../../engine/model.js';
import { App } from '../../views/App.js';
import { deployment, sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { renderView } from '../helpers/render-view.js';

const SMALL = { columns: 80, rows: 24 };
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

let views: ReturnType<typeof renderView>[] = [];
afterEach(() => {
  for (const v of views) v.unmount();
  views = [];
});

/** The front proxy of green as engine.traffic reads it: each app's releases and their weights. */
const traffic = (shares: { release: string; weight: number }[]): TrafficView => ({
  project: 'green',
  proxy: 'running',
  apps: ['billing', 'weight'].map((app, i) => ({
    app,
    listen: `127.0.0.1:${8001 + i}`,
    shares,
    counts: shares.map((s) => ({ release: s.release, requests: 0, errors5xx: 0 })),
  })),
});

/**
 * The console on green (v0.2.0 live, through the front proxy), then build #6 releasing v0.3.0 as a
 * 10 % canary the way the engine announces it: its production deployment running, the proxy set to
 * share, and the canary's first progress.
 */
async function canaryConsole() {
  const engine = new EngineDouble(sampleSnapshot(), 'alice');
  engine.trafficOf.green = traffic([{ release: 'v0.2.0', weight: 100 }]);
  const v = renderView(<App source={engine} size={SMALL} frameMs={10} />, SMALL);
  views.push(v);
  const waitPlain = (text: string | RegExp) =>
    v.waitFor((f) => (typeof text === 'string' ? plain(f).includes(text) : text.test(plain(f))), `frame shows ${text}`);
  await waitPlain('traffic  billing :8001, weight :8002 → v0.2.0');

  engine.emit({
    type: 'deployment.updated',
    deployment: deployment(8, { kind: 'promote', status: 'running', buildId: 6, version: 'v0.3.0', finishedAt: undefined }),
  });
  engine.trafficOf.green = traffic([
    { release: 'v0.2.0', weight: 90 },
    { release: 'v0.3.0', weight: 10 },
  ]);
  const canary: CanaryState = {
    project: 'green',
    buildId: 6,
    version: 'v0.3.0',
    live: 'v0.2.0',
    weight: 10,
    since: Date.now(),
    until: Date.now() + 65_400,
    canary: { requests: 12, errors5xx: 0 },
    liveTraffic: { requests: 108, errors5xx: 0 },
  };
  engine.emit({ type: 'canary.updated', canary });
  return { engine, v, waitPlain, canary, text: () => plain(v.frame()) };
}

describe("the console: production's traffic and a canary", () => {
  test("the Environments pane shows the canary's share, its 5xx counts and its time counting down; + asks, y promotes it", async () => {
    const { engine, v, waitPlain, canary, text } = await canaryConsole();
    // the proxy was read again when the canary began: each app's two releases and their shares
    await waitPlain('traffic  billing :8001, weight :8002 → v0.2.0 90% + v0.3.0 10%');
    await waitPlain(/canary {3}v0\.3\.0 10%, 1m0[45]s left {2}5xx 0\.0% \(0\/12\), live v0\.2\.0 0\.0% \(0\/108\)/);
    // the next second's progress: more requests, one 5xx answer, a second less
    engine.emit({
      type: 'canary.updated',
      canary: { ...canary, canary: { requests: 25, errors5xx: 1 }, liveTraffic: { requests: 220, errors5xx: 0 } },
    });
    await waitPlain(/v0\.3\.0 10%, 1m0[34]s left {2}5xx 4\.0% \(1\/25\), live v0\.2\.0 0\.0% \(0\/220\)/);

    await v.press('+');
    await waitPlain('Promote the canary?');
    expect(text()).toContain('production green: canary v0.3.0 (10%) -> every request');
    expect(text()).toContain('recorded as alice');
    expect(engine.calls.some((c) => c.op === 'canaryDecision')).toBe(false);
    engine.trafficOf.green = traffic([{ release: 'v0.3.0', weight: 100 }]);
    await v.press('y');
    await waitPlain('production green: canary v0.3.0 promoted by alice, it takes every request');
    expect(engine.calls.filter((c) => c.op === 'canaryDecision')).toEqual([
      { op: 'canaryDecision', args: { project: 'green', decision: 'promote', by: 'alice' } },
    ]);
    // the canary's end moved the proxy: read again, one release takes everything and the canary row is gone
    await waitPlain('traffic  billing :8001, weight :8002 → v0.3.0');
    expect(text()).not.toContain('canary   v0.3.0');
  });

  test('- asks to abort, naming the release that takes every request back; n leaves the canary running, y aborts it', async () => {
    const { engine, v, waitPlain } = await canaryConsole();
    await waitPlain('canary   v0.3.0 10%');
    await v.press('-');
    await waitPlain('Abort the canary?');
    await waitPlain('production green: canary v0.3.0 aborted -> v0.2.0 takes every request');
    await v.press('n');
    await waitPlain('canary v0.3.0 left running');
    expect(engine.calls.some((c) => c.op === 'canaryDecision')).toBe(false);
    await v.press('-');
    await waitPlain('Abort the canary?');
    await v.press('y');
    await waitPlain('production green: canary v0.3.0 aborted by alice, v0.2.0 takes every request');
    expect(engine.calls.filter((c) => c.op === 'canaryDecision')).toEqual([
      { op: 'canaryDecision', args: { project: 'green', decision: 'abort', by: 'alice' } },
    ]);
    // with none running (its row gone), + says so and asks nothing
    await v.waitFor((f) => !plain(f).includes('canary   v0.3.0'), 'the canary row to go');
    await v.press('+');
    await waitPlain('no canary is running: nothing to promote');
  });
});
