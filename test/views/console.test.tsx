import stringWidth from 'string-width';
import { afterEach, describe, expect, test, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORCE_COLOR = '1'; // colours on, so NO_COLOR has something to take away
});

import { App } from '../../views/App.js';
import { build, health, NOW, release, sampleSnapshot, stages } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { KEY, renderView } from '../helpers/render-view.js';

const SMALL = { columns: 80, rows: 24 };
const LARGE = { columns: 200, rows: 50 };
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

let views: ReturnType<typeof renderView>[] = [];
afterEach(() => {
  for (const v of views) v.unmount();
  views = [];
});

function start(size = SMALL, env: NodeJS.ProcessEnv = {}, snapshot = sampleSnapshot()) {
  const engine = new EngineDouble(snapshot, 'alice');
  engine.releasesOf.green = [release(2, 'v0.2.0'), release(1, 'v0.1.0')];
  engine.logLines[4] = [{ id: 1, buildId: 4, stage: 'build', ts: NOW, stream: 'stdout', line: 'Step 1/3 : FROM scratch' }];
  const quit = vi.fn();
  const v = renderView(<App source={engine} size={size} env={env} onQuit={quit} frameMs={10} />, size);
  views.push(v);
  return { engine, v, quit, text: () => plain(v.frame()) };
}

const waitPlain = (v: ReturnType<typeof renderView>, text: string | RegExp) =>
  v.waitFor((f) => (typeof text === 'string' ? plain(f).includes(text) : text.test(plain(f))), `frame shows ${text}`);

describe('every pane renders from a snapshot', () => {
  test('80x24: one pane at a time, 1-5 switch, each fits the terminal', async () => {
    const { v, text } = start();
    await waitPlain(v, 'green production v0.2.0 live');
    expect(text()).toMatch(/billing\s+v0\.2\.0-prod\s+v0\.2\.0\s+healthy\s+up 5m/);
    expect(text()).toMatch(/weight\s+v0\.2\.0-prod\s+v0\.2\.0\s+unhealthy/);
    expect(text()).toContain('green test deploy #4');
    expect(text()).toContain('daemon pid 4242');
    const checks: [string, RegExp][] = [
      ['2', /#4\s+▸ feature\/weights\s+0004abc test\s+●●●●▸\s+1m0\ds/],
      ['3', /green-production-weight\s+unhealthy\s+↻2\s+up 5m\s+12\.3%\s+12 MB/],
      ['4', /Enter on a build or a container shows it here/],
      ['5', /● v0\.2\.0\s+0002abc #2.*live/],
      ['1', /green production v0\.2\.0 live/],
    ];
    for (const [key, expected] of checks) {
      await v.press(key);
      await waitPlain(v, expected);
      const lines = text().split('\n');
      expect(lines.length).toBeLessThanOrEqual(SMALL.rows - 1);
      expect(Math.max(...lines.map((l) => stringWidth(l)))).toBeLessThanOrEqual(SMALL.columns);
    }
  });

  test('200x50: all five panes at once, using the room', async () => {
    const { v, text } = start(LARGE);
    await waitPlain(v, 'green-test-weight');
    const f = text();
    for (const title of ['1 Environments', '2 Builds', '3 Containers', '4 Detail', '5 Releases']) expect(f).toContain(title);
    expect(f).toMatch(/billing\s+billing:v0\.2\.0-prod\s+v0\.2\.0\s+healthy.*Change number 2/);
    expect(f).toMatch(/#3\s+✗ green\s+fix\/totals.*alice.*test failed: weight/);
    expect(f).toMatch(/green-test-weight\s+down\s+↻0\s+exit 137/);
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(LARGE.rows - 1);
    expect(Math.max(...lines.map((l) => stringWidth(l)))).toBeLessThanOrEqual(LARGE.columns);
  });

  test('re-lays out when the terminal is resized', async () => {
    const { engine, v, text } = start();
    await waitPlain(v, 'green production');
    expect(text()).not.toContain('3 Containers  4');
    v.rerender(<App source={engine} size={LARGE} env={{}} frameMs={10} />);
    await waitPlain(v, '3 Containers  4');
    expect(text()).toContain('5 Releases  green');
  });

  test('NO_COLOR: no colour codes, the words and the focus still show', async () => {
    const colour = start(SMALL, {});
    await waitPlain(colour.v, 'healthy');
    expect(colour.v.frame()).toMatch(/\x1b\[3[0-9]m/);
    const mono = start(SMALL, { NO_COLOR: '1' });
    await waitPlain(mono.v, 'healthy');
    expect(mono.v.frame()).not.toMatch(/\x1b\[(3[0-9]|9[0-7]|38;)/);
    expect(plain(mono.v.frame())).toContain('unhealthy');
    expect(mono.v.frame()).toContain('╔'); // the focused pane's double border
  });
});

describe('keys', () => {
  test('move, open a build in Detail (log following live), Esc back', async () => {
    const { engine, v, text } = start();
    await v.press('2');
    await waitPlain(v, '1 running, 1 queued');
    await v.press(KEY.down, 'j', 'k'); // #4 → #5 → #3 → #5
    await v.press(KEY.enter);
    await waitPlain(v, /◌ queued\s+#5 green feature\/login/);
    await v.press(KEY.esc, KEY.up, KEY.enter); // back to Builds, up to #4, open it
    await waitPlain(v, 'Step 1/3 : FROM scratch');
    expect(text()).toMatch(/● checkout .*▸ test/);
    engine.emit({
      type: 'log',
      line: { id: 2, buildId: 4, stage: 'test', ts: Date.now(), stream: 'stderr', line: 'weight-api: \x1b]0;pwned\x07 ok 3 tests' },
    });
    await waitPlain(v, 'weight-api:  ok 3 tests'); // escape sequences from the repo never reach the terminal
    await v.press(KEY.esc);
    await waitPlain(v, '2 Builds');
  });

  test('a change shows without any key: a build finishing, a container going down', async () => {
    const { engine, v } = start(LARGE);
    await waitPlain(v, /#4\s+▸/);
    engine.emit({
      type: 'build.updated',
      build: build(4, {
        branch: 'feature/weights',
        status: 'failed',
        reason: 'test failed: 2 of 40',
        stages: stages(4, 'failed', ['checkout', 'config', 'build', 'deploy-test', 'test']),
      }),
    });
    await waitPlain(v, /#4\s+✗ green\s+feature\/weights.*test failed: 2 of 40/);
    const s = engine.snapshot;
    engine.emit({
      type: 'containers',
      docker: s.docker!,
      containers: s.containers.map((c) =>
        c.name === 'green-production-billing' ? { ...c, state: 'exited', exitCode: 137, finishedAt: Date.now() } : c,
      ),
    });
    await waitPlain(v, /billing\s+billing:v0\.2\.0-prod\s+v0\.2\.0\s+down\s+exit 137/);
  });

  test('/ filters the focused list; Esc clears it', async () => {
    const { v, text } = start();
    await v.press('2', '/', 'l', 'o', 'g');
    await waitPlain(v, 'filter /log');
    expect(text()).toContain('feature/login');
    expect(text()).not.toContain('fix/totals');
    await v.press(KEY.enter, KEY.esc);
    await waitPlain(v, 'fix/totals');
    await v.press('/', 'z', 'z', 'z');
    await waitPlain(v, 'nothing matches the filter');
  });

  test('r, Enter, y: rolls production back to the release before the live one, naming the change', async () => {
    const { engine, v, text } = start();
    let open!: () => void;
    engine.rollbackGate = new Promise((r) => (open = r));
    await waitPlain(v, 'green production');
    await v.press('r');
    await waitPlain(v, 'pick the release for production green');
    await v.press(KEY.enter);
    await waitPlain(v, 'production green: v0.2.0 -> v0.1.0');
    expect(text()).toContain('recorded as alice');
    await v.press('y');
    await waitPlain(v, '▸ production green: v0.2.0 -> v0.1.0: starting v0.1.0');
    open();
    await waitPlain(v, 'production green now runs v0.1.0 (was v0.2.0), rolled back by alice');
    expect(engine.calls.filter((c) => c.op === 'rollback')).toEqual([
      { op: 'rollback', args: { project: 'green', to: 'v0.1.0', by: 'alice' } },
    ]);
    await v.press('1');
    await waitPlain(v, 'green production v0.1.0 live  rollback v0.1.0 success');
  });

  test('r, Enter, n: nothing changes', async () => {
    const { engine, v } = start();
    await waitPlain(v, 'green production');
    await v.press('r');
    await waitPlain(v, 'pick the release for production green');
    await v.press(KEY.enter);
    await waitPlain(v, 'production green: v0.2.0 -> v0.1.0');
    await v.press('n');
    await waitPlain(v, 'rollback not started');
    expect(engine.calls.some((c) => c.op === 'rollback')).toBe(false);
    await v.press(KEY.up, KEY.enter); // the live release itself
    await waitPlain(v, 'v0.2.0 is already live in production green');
  });

  test('t: choose a branch (typing narrows it), Enter queues it as the operator', async () => {
    const { engine, v } = start();
    await waitPlain(v, 'green production');
    await v.press('t');
    await waitPlain(v, 'feature/weights');
    await v.press('w', 'e', 'i');
    await v.waitFor((f) => !plain(f).includes('feature/login'), 'the list narrowed');
    await v.press(KEY.enter);
    await waitPlain(v, 'queued build #6: green feature/weights');
    expect(engine.calls.find((c) => c.op === 'trigger')).toEqual({
      op: 'trigger',
      args: { project: 'green', branch: 'feature/weights', by: 'alice' },
    });
  });

  test('c cancels and R retries the selected build; a refusal lands on the status line', async () => {
    const { engine, v } = start();
    await v.press('2');
    await waitPlain(v, '1 running, 1 queued'); // the builds are on screen before keys act on them
    await v.press('c');
    await waitPlain(v, 'cancelled build #4');
    await v.press('G', 'R'); // last: #1
    await waitPlain(v, 'queued build #6 (retry of #1)');
    engine.failNext = 'build #5 is still queued';
    await v.press('g', 'R');
    await waitPlain(v, /✗ retry #\d+: build #5 is still queued/);
  });

  test('Detail scrolling stops at the top and holds still while lines arrive; tabs and escapes in output never widen a line', async () => {
    const { engine, v, text } = start();
    await waitPlain(v, 'green production');
    engine.logLines[4] = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      buildId: 4,
      stage: 'test',
      ts: NOW,
      stream: 'stdout' as const,
      line: `line ${i + 1}\tcol`,
    }));
    await v.press('2', KEY.enter);
    await waitPlain(v, 'line 40');
    for (let i = 0; i < 60; i++) await v.press('k');
    await waitPlain(v, /line 1 +col/);
    expect(text()).toMatch(/scrolled up \d+/);
    const top = text();
    engine.emit({ type: 'log', line: { id: 41, buildId: 4, stage: 'test', ts: Date.now(), stream: 'stdout', line: 'line 41' } });
    await v.press('j', 'k'); // one down, one up: the same place
    await waitPlain(v, /line 1 +col/);
    const logLines = (f: string) => f.split('\n').filter((l) => /line \d+ +col/.test(l));
    expect(logLines(text())).toEqual(logLines(top));
    await v.press('G');
    await waitPlain(v, 'line 41');
    for (const l of text().split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(SMALL.columns);
  });

  test("a container's output in Detail; after it stopped, Enter again reads it again", async () => {
    const { engine, v } = start();
    const web = engine.snapshot.containers[0];
    engine.containerOutput[web.id] = ['listening on :8080'];
    engine.stopped.add(web.id);
    await waitPlain(v, 'green production');
    await v.press('3');
    await waitPlain(v, 'green-production-billing');
    await v.press(KEY.enter);
    await waitPlain(v, 'listening on :8080');
    await waitPlain(v, 'end of log');
    engine.containerOutput[web.id].push('restarted, listening again');
    await v.press(KEY.esc, KEY.enter);
    await waitPlain(v, 'restarted, listening again');
    expect(engine.calls.filter((c) => c.op === 'containerLogs')).toHaveLength(2);
  });

  test('in-process, Ctrl-C quits from a dialog, but not while production is changing', async () => {
    const { engine, v, quit } = start();
    engine.setConnection({ mode: 'in-process', state: 'connected' });
    let open!: () => void;
    engine.rollbackGate = new Promise((r) => (open = r));
    await waitPlain(v, 'green production');
    await v.press('r');
    await waitPlain(v, 'pick the release');
    await v.press(KEY.enter, 'y');
    await waitPlain(v, '▸ production green');
    await v.press('\x03');
    await waitPlain(v, 'a production change is in progress: quit when it has finished');
    expect(quit).not.toHaveBeenCalled();
    open();
    await waitPlain(v, 'now runs v0.1.0');
    // from a dialog, and with the change over: quitting goes on to ask about this process's running build
    await v.press('/', 'x', '\x03');
    await waitPlain(v, 'This console runs build #4');
    expect(quit).not.toHaveBeenCalled();
  });

  test('attached to a daemon, q quits while production is changing: the daemon carries the change on', async () => {
    const { engine, v, quit } = start();
    engine.rollbackGate = new Promise(() => undefined); // the daemon's rollback is still going when the console leaves
    await waitPlain(v, 'green production');
    await v.press('r');
    await waitPlain(v, 'pick the release');
    await v.press(KEY.enter, 'y');
    await waitPlain(v, '▸ production green');
    await v.press('q');
    await vi.waitFor(() => expect(quit).toHaveBeenCalledWith({ force: false }));
  });

  test('? shows every key; any key closes it; q quits', async () => {
    const { v, quit } = start(LARGE);
    await v.press('?');
    await waitPlain(v, 'greenci console keys');
    for (const k of [
      'Tab / Shift-Tab',
      '1 2 3 4 5',
      'j k',
      'Enter',
      'Esc',
      '/',
      'trigger a build',
      'cancel the selected build',
      'retry the selected build',
      'roll back',
      'quit',
    ])
      expect(plain(v.frame())).toContain(k);
    await v.press('x');
    await waitPlain(v, '4 Detail');
    await v.press('q');
    await vi.waitFor(() => expect(quit).toHaveBeenCalledWith({ force: false }));
  });
});

describe('trouble', () => {
  test('a malformed event is ignored and said on the status line; the console carries on', async () => {
    const { engine, v } = start();
    await waitPlain(v, 'green production');
    engine.emitRaw(null);
    engine.emitRaw({ type: 'build.updated' });
    engine.emitRaw({ type: 'no-such-event', x: 1 });
    await waitPlain(v, 'ignored 3 malformed events');
    engine.emit({
      type: 'build.updated',
      build: build(6, { branch: 'after/garbage', status: 'queued', startedAt: undefined, finishedAt: undefined }),
    });
    await v.press('2');
    await waitPlain(v, 'after/garbage');
  });

  test('a pane that cannot draw its data says so in its place; the rest of the console goes on', async () => {
    const { engine, v } = start();
    await waitPlain(v, 'green production');
    // missing what every row needs: dropped before it reaches any pane
    engine.emitRaw({ type: 'containers' });
    engine.emitRaw({ type: 'containers', docker: {}, containers: [null] });
    await waitPlain(v, 'ignored 2 malformed events');
    // well-formed on the outside, odd inside: the pane says so, the rest goes on
    engine.emit({
      type: 'containers',
      docker: { reachable: true, since: Date.now() },
      containers: [{ ...sampleSnapshot().containers[0], service: 5 as never }],
    });
    await waitPlain(v, 'environments could not be drawn');
    await v.press('2');
    await waitPlain(v, 'feature/login');
    engine.emit({ type: 'containers', docker: { reachable: true, since: Date.now() }, containers: sampleSnapshot().containers });
    await v.press('1');
    await waitPlain(v, /billing\s+v0\.2\.0-prod\s+v0\.2\.0\s+healthy/);
  });

  test('the daemon going away shows, and the console recovers with a fresh snapshot', async () => {
    const { engine, v } = start();
    await waitPlain(v, 'daemon pid 4242');
    engine.setConnection({
      mode: 'daemon',
      state: 'disconnected',
      detail: 'no daemon answers on the control socket',
      retryAt: Date.now() + 2000,
    });
    await waitPlain(v, /daemon disconnected \(retry in \ds\): no daemon answers on the control s/);
    const fresh = sampleSnapshot();
    fresh.live.green = { version: 'v0.1.0', releaseId: 1 };
    engine.setConnection({ ...engine.connection, state: 'connected', detail: undefined }, fresh);
    await waitPlain(v, 'green production v0.1.0 live');
    await waitPlain(v, 'reconnected to the daemon');
  });

  test('in-process: the header says so, and quitting with a build running asks first', async () => {
    const { engine, v, quit } = start();
    engine.setConnection({ mode: 'in-process', state: 'connected' });
    await waitPlain(v, 'in-process engine (no daemon)');
    await v.press('q');
    await waitPlain(v, 'This console runs build #4');
    await v.press('n');
    expect(quit).not.toHaveBeenCalled();
    await v.press('q', 'y');
    await vi.waitFor(() => expect(quit).toHaveBeenCalledWith({ force: true }));
  });
});

/** Every line of the frame fits the terminal, with the last line left free. */
function expectFits(frame: string, size: { columns: number; rows: number }) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
  expect(Math.max(...lines.map((l) => stringWidth(l)))).toBeLessThanOrEqual(size.columns);
}

/** The sample, with the monitor's records: everything healthy unless `records` says otherwise. */
function monitored(...records: ReturnType<typeof health>[]) {
  const s = sampleSnapshot();
  const all = [
    health('green/production/billing'),
    health('green/production/db', { kind: 'service' }),
    health('green/production/weight'),
    health('green/test/weight'),
    health('greenci/docker', { title: 'greenci docker engine' }),
    health('greenci/webhook', { title: 'greenci webhook endpoint' }),
    ...records,
  ];
  s.health = Object.fromEntries(all.map((h) => [h.key, h]));
  return s;
}

describe("the monitor's view", () => {
  for (const size of [SMALL, LARGE]) {
    test(`${size.columns}x${size.rows}: an app the monitor finds down shows down and why, the header counts it; its recovery shows without a key`, async () => {
      const down = health('green/production/billing', { state: 'down', since: NOW - 120_000, detail: 'exited (code 137)', alerted: true });
      const { engine, v, text } = start(size, {}, monitored(down));
      await waitPlain(v, 'exited (code 137)');
      const f = text();
      // the billing row says down (Docker still calls it healthy), the line under it why and since when
      expect(f).toMatch(/billing\s+\S*v0\.2\.0-prod\s+v0\.2\.0\s+down\s+up 5m/);
      expect(f).toMatch(/✗ down for \dm: exited \(code 137\)/);
      expect(f).toMatch(/^greenci ● daemon pid 4242, up 1h {2}│ ✗ 1 down/m);
      expect(f).toContain('greenci checks: all healthy');
      expect(f).toContain('3 not healthy'); // billing (the monitor), weight (Docker's healthcheck), test weight (exited)
      expectFits(f, size);

      engine.emit({
        type: 'health.updated',
        health: { ...down, state: 'healthy', since: Date.now(), detail: undefined, alerted: false },
        transition: { id: 7, key: down.key, title: down.title, from: 'down', to: 'healthy', alert: true, at: Date.now() },
      });
      await v.waitFor((fr) => !plain(fr).includes('exited (code 137)'), 'the down line goes');
      const g = text();
      expect(g).not.toMatch(/✗ \d+ down/);
      expect(g).toMatch(/billing\s+\S*v0\.2\.0-prod\s+v0\.2\.0\s+healthy\s+up 5m/);
      expect(g).toContain('2 not healthy');
      expectFits(g, size);
    });

    test(`${size.columns}x${size.rows}: greenci's own failing checks come first; when they pass, one quiet line`, async () => {
      const docker = health('greenci/docker', {
        title: 'greenci docker engine',
        state: 'down',
        since: NOW - 60_000,
        detail: 'connect ENOENT /var/run/docker.sock',
      });
      const stuck = health('greenci/build-4', {
        kind: 'build',
        project: 'green',
        title: 'greenci build #4 (green feature/weights)',
        state: 'degraded',
        since: NOW - 30_000,
        detail: 'stuck: test running for 45m',
      });
      const { engine, v, text } = start(size, {}, monitored(docker, stuck));
      await waitPlain(v, 'connect ENOENT');
      const f = text();
      expect(f).toMatch(/greenci checks {2}1 down, 1 degraded/);
      expect(f).toMatch(/✗ docker engine down for \dm: connect ENOENT \/var\/run\/docker\.sock/);
      expect(f).toMatch(/▸ build #4 \(green feature\/weights\) degraded for \d+s: stuck: test running/);
      expect(f).toMatch(/│ ✗ 1 down, 1 degraded/);
      // greenci's trouble is above the projects
      expect(f.indexOf('docker engine down')).toBeLessThan(f.indexOf('green production'));
      expectFits(f, size);

      engine.emit({ type: 'health.updated', health: { ...docker, state: 'healthy', detail: undefined } });
      engine.emit({ type: 'health.removed', key: stuck.key });
      await waitPlain(v, 'greenci checks: all healthy');
      expect(text()).not.toContain('connect ENOENT');
      expect(text()).not.toMatch(/\d+ (down|degraded)/);
      expectFits(text(), size);
    });
  }

  test('Enter on a stuck build in the greenci checks opens its log', async () => {
    const stuck = health('greenci/build-4', {
      kind: 'build',
      project: 'green',
      title: 'greenci build #4 (green feature/weights)',
      state: 'down',
      detail: 'stuck: test running for 45m',
    });
    const { v } = start(SMALL, {}, monitored(stuck));
    await waitPlain(v, 'stuck: test running');
    await v.press('j', KEY.enter);
    await waitPlain(v, 'Step 1/3 : FROM scratch');
  });

  test('a service whose container is gone gets a row; flapping and self-healing are said in words (NO_COLOR)', async () => {
    const gone = health('green/production/db', { kind: 'service', state: 'down', detail: 'its container is gone' });
    const flaps = health('green/production/weight', {
      state: 'degraded',
      detail: 'GET http://127.0.0.1:32768/health: 503',
      flapping: true,
      healAttempts: 2,
    });
    const s = monitored(gone, flaps);
    s.containers = s.containers.filter((c) => c.service !== 'db');
    const { v, text } = start(SMALL, { NO_COLOR: '1' }, s);
    await waitPlain(v, 'its container is gone');
    expect(v.frame()).not.toMatch(/\x1b\[(3[0-9]|9[0-7]|38;)/);
    const f = text();
    expect(f).toMatch(/ {2}db\s+-\s+-\s+down\s+no container/);
    expect(f).toMatch(/weight\s+v0\.2\.0-prod\s+v0\.2\.0\s+degraded/);
    expect(f).toMatch(/▸ degraded for 1\dm: GET http:\/\/127\.0\.0\.1:32768\/health: 503 · flapping · r/);
    expect(f).toMatch(/│ ✗ 1 down, 1 degraded/);
    expectFits(f, SMALL);
  });

  test("an older daemon's snapshot (no health) is drawn as before; a malformed health event is dropped", async () => {
    const old = sampleSnapshot() as Partial<ReturnType<typeof sampleSnapshot>>;
    delete old.health;
    const { engine, v, text } = start(SMALL, {}, old as ReturnType<typeof sampleSnapshot>);
    await waitPlain(v, 'green production v0.2.0 live');
    expect(text()).not.toContain('greenci checks');
    expect(text()).not.toContain('ignored');
    engine.emitRaw({ type: 'health.updated', health: { key: 'greenci/docker' } });
    await waitPlain(v, 'ignored 1 malformed event');
    engine.emit({
      type: 'health.updated',
      health: health('greenci/docker', { title: 'greenci docker engine', state: 'down', detail: 'connect \x1b]0;pwned\x07ENOENT' }),
    });
    await waitPlain(v, 'docker engine down');
    expect(text()).toContain('connect ENOENT'); // escape sequences in a detail never reach the terminal
    expect(text()).toContain('│ ✗ 1 down');
  });
});
