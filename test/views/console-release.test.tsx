import { afterEach, describe, expect, test } from 'vitest';
import type { ReleaseRequest } from '../../engine/api.js';
import type { CanaryState } from '../../engine/model.js';
import { App } from '../../views/App.js';
import { NOW, release, sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { KEY, renderView } from '../helpers/render-view.js';

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

/** The release requests the console sent, as the engine received them (less the progress callback). */
function recordReleases(engine: EngineDouble): Omit<ReleaseRequest, 'log'>[] {
  const sent: Omit<ReleaseRequest, 'log'>[] = [];
  const release = engine.release.bind(engine);
  engine.release = (req) => {
    const { log: _log, ...rest } = req;
    sent.push(rest);
    return release(req);
  };
  return sent;
}

/** The dialog's text as one line: its border taken off, its wrapped lines joined. */
const dialogText = (frame: string) =>
  frame
    .split('\n')
    .filter((l) => l.startsWith('║'))
    .map((l) => l.replace(/^║\s*|\s*║$/g, ''))
    .join(' ')
    .replace(/\s+/g, ' ');

describe("the console: p, c releases a build as a canary of the operator's choosing", () => {
  test('c shows the canary (10% for 5m) and what it will do; ←→, digits and ↑↓ change it; y sends exactly that canary; + promotes it while it runs', async () => {
    const { engine, v, waitPlain, text } = heldConsole();
    const sent = recordReleases(engine);
    let open!: () => void;
    engine.rollbackGate = new Promise((r) => (open = r));
    await waitPlain('held by bob');
    await v.press('p');
    await waitPlain('c as a canary: pick its share and duration');
    expect(text()).toContain("y release it (greenci.yml's release policy)");

    // Given the canary turned on: the defaults, and the whole change in one sentence
    await v.press('c');
    await waitPlain('Release to production as a canary?');
    expect(text()).toContain('production green: v0.1.0 -> build #2 0002abc "Change number 2"');
    expect(text()).toMatch(/canary {2}share ◂ 10% ▸ {2}for ▴ 5m ▾/);
    expect(dialogText(text())).toContain(
      'production green: v0.2.0 takes 10% of requests for 5m, then every request if healthy (else it is aborted); v0.1.0 keeps the rest',
    );
    expect(text()).toContain('held by bob 1m ago (rolled back from v0.2.0 to v0.1.0): releasing lifts it');
    expect(text()).toContain('y release the canary');
    expect(text()).toContain('←→ or 1-50 share  ↑↓ duration  c no canary');

    // When the operator moves the share and the duration, the sentence follows; values stay in range
    await v.press(KEY.right);
    await waitPlain('share ◂ 20% ▸');
    await v.press('2', '5');
    await waitPlain('share ◂ 25% ▸');
    await v.press('7');
    await waitPlain('share ◂ 7% ▸');
    await v.press('0');
    await waitPlain('share ◂ 7% ▸'); // 70 is more than 50: the 0 is ignored
    await v.press(KEY.right, KEY.right, KEY.right, KEY.right);
    await waitPlain('share ◂ 50% ▸');
    await v.press(KEY.left, KEY.left);
    await waitPlain('share ◂ 20% ▸');
    await v.press(KEY.up, KEY.up, KEY.up, KEY.up);
    await waitPlain('for ▴ 30m ▾');
    await v.press(KEY.down);
    await waitPlain('for ▴ 15m ▾');
    expect(dialogText(text())).toContain(
      'production green: v0.2.0 takes 20% of requests for 15m, then every request if healthy (else it is aborted); v0.1.0 keeps the rest',
    );
    expect(sent).toEqual([]);

    // Then y releases it with exactly that canary, and the status line says so while it runs
    await v.press('y');
    await waitPlain('▸ production green: release build #2 as a canary (20% for 15m): deploying v0.2.0');
    expect(sent).toEqual([{ project: 'green', build: 2, requestedBy: 'alice', canary: { weight: 20, forMs: 900_000 } }]);

    // And the canary shows in Environments as the engine announces it; + promotes it before its time is up
    const canary: CanaryState = {
      project: 'green',
      buildId: 9,
      version: 'v0.2.0',
      live: 'v0.1.0',
      weight: 20,
      since: Date.now(),
      until: Date.now() + 900_000,
      canary: { requests: 40, errors5xx: 0 },
      liveTraffic: { requests: 160, errors5xx: 0 },
    };
    engine.emit({ type: 'canary.updated', canary });
    await v.press('1');
    await waitPlain('canary   v0.2.0 20%');
    await v.press('+');
    await waitPlain('production green: canary v0.2.0 (20%) -> every request');
    await v.press('y');
    await waitPlain('production green: canary v0.2.0 promoted by alice, it takes every request');
    open();
    await waitPlain('production green runs v0.2.0 (build #2), released by alice; hold lifted');
  });

  test('Esc in the canary dialog sends nothing and changes nothing; the next p starts without a canary', async () => {
    const { engine, v, waitPlain, text } = heldConsole();
    const sent = recordReleases(engine);
    await waitPlain('held by bob');
    await v.press('p', 'c', KEY.right, KEY.up);
    await waitPlain('share ◂ 20% ▸  for ▴ 15m ▾');
    await v.press(KEY.esc);
    await waitPlain('production left as it is');
    expect(text()).not.toContain('Release to production');
    expect(sent).toEqual([]);
    expect(engine.calls.some((c) => c.op === 'release' || c.op === 'liftHold')).toBe(false);
    await v.press('1');
    await waitPlain('green production v0.1.0 live  held by bob');

    // c twice is no canary again: y releases with greenci.yml's policy, no canary in the request
    await v.press('p');
    await waitPlain('Release to production?');
    expect(text()).not.toContain('share ◂');
    await v.press('c');
    await waitPlain('share ◂ 10% ▸');
    await v.press('c');
    await waitPlain("y release it (greenci.yml's release policy)");
    await v.press('y');
    await waitPlain('production green runs v0.2.0 (build #2), released by alice; hold lifted');
    expect(sent).toEqual([{ project: 'green', build: 2, requestedBy: 'alice' }]);
  });
});

test('the footer names the canary on p, and ? explains it, all of it on an 80x24 screen', async () => {
  const wide = { columns: 160, rows: 40 };
  const engine = new EngineDouble(sampleSnapshot(), 'alice');
  const large = renderView(<App source={engine} size={wide} frameMs={10} />, wide);
  views.push(large);
  await large.waitFor((f) => plain(f).includes('p release/canary  +/- canary'), 'the footer with p release/canary');
  const { v, waitPlain, text } = heldConsole();
  await v.press('?');
  await waitPlain('greenci console keys');
  expect(text()).toContain('p, then c        release it as a canary: ←→ or 1-50 its share (10%), ↑↓ its…');
  expect(text()).toContain('q  Ctrl-C        quit (the daemon keeps running)');
});
