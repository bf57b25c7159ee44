import { afterEach, describe, expect, test } from 'vitest';
import { App } from '../../views/App.js';
import { NOW, release, sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { renderView } from '../helpers/render-view.js';

const SMALL = { columns: 80, rows: 24 };
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

let views: ReturnType<typeof renderView>[] = [];
afterEach(() => {
  for (const v of views) v.unmount();
  views = [];
});

/** The console after bob rolled production back from v0.2.0 to v0.1.0: the rollback's deployment and its hold, as the engine announces them. */
function heldConsole() {
  const engine = new EngineDouble(sampleSnapshot(), 'alice');
  engine.releasesOf.green = [release(2, 'v0.2.0'), release(1, 'v0.1.0')];
  engine.releaseOf[2] = release(2, 'v0.2.0');
  engine.emit({
    type: 'deployment.updated',
    deployment: {
      id: 7,
      project: 'green',
      env: 'production',
      kind: 'rollback',
      releaseId: 1,
      version: 'v0.1.0',
      requestedBy: 'bob',
      status: 'success',
      startedAt: NOW - 60_000,
      finishedAt: NOW - 60_000,
    },
  });
  engine.emit({
    type: 'hold.updated',
    hold: {
      id: 1,
      project: 'green',
      by: 'bob',
      since: NOW - 60_000,
      reason: 'rolled back from v0.2.0 to v0.1.0',
      releaseId: 1,
      version: 'v0.1.0',
    },
  });
  const v = renderView(<App source={engine} size={SMALL} frameMs={10} />, SMALL);
  views.push(v);
  const waitPlain = (text: string) => v.waitFor((f) => plain(f).includes(text), `frame shows ${text}`);
  return { engine, v, waitPlain, text: () => plain(v.frame()) };
}

describe('the console: a held production and p (release)', () => {
  test('the hold shows on production; p, y: releases the newest passed build, naming the change, and lifts the hold', async () => {
    const { engine, v, waitPlain, text } = heldConsole();
    let open!: () => void;
    engine.rollbackGate = new Promise((r) => (open = r));
    await waitPlain('green production v0.1.0 live  held by bob 1m ago  rollback v0.1.0 success');
    await v.press('p');
    await waitPlain('Release to production?');
    expect(text()).toContain('production green: v0.1.0 -> build #2 0002abc "Change number 2"');
    expect(text()).toContain('held by bob 1m ago (rolled back from v0.2.0 to v0.1.0): releasing lifts it');
    expect(text()).toContain('recorded as alice');
    await v.press('y');
    await waitPlain('▸ production green: release build #2: deploying v0.2.0');
    open();
    await waitPlain('production green runs v0.2.0 (build #2), released by alice; hold lifted');
    expect(engine.calls.filter((c) => c.op === 'release')).toEqual([{ op: 'release', args: { project: 'green', build: 2, by: 'alice' } }]);
    await v.press('1');
    await waitPlain('green production v0.2.0 live  promote v0.2.0 success');
    expect(text()).not.toContain('held by');
  });

  test('p, l lifts the hold alone; p, n changes nothing', async () => {
    const { engine, v, waitPlain, text } = heldConsole();
    await waitPlain('held by bob');
    await v.press('p');
    await waitPlain('Release to production?');
    await v.press('n');
    await waitPlain('production left as it is');
    expect(engine.calls.some((c) => c.op === 'release' || c.op === 'liftHold')).toBe(false);
    await v.press('p');
    await waitPlain('l lift the hold only');
    await v.press('l');
    await waitPlain('production green is no longer held (was held by bob), lifted by alice');
    expect(engine.calls.filter((c) => c.op === 'liftHold')).toEqual([{ op: 'liftHold', args: { project: 'green', by: 'alice' } }]);
    await v.press('1');
    await waitPlain('green production v0.1.0 live  rollback v0.1.0 success');
    expect(
      text()
        .split('\n')
        .find((l) => l.includes('green production')),
    ).not.toContain('held by');
  });
});
