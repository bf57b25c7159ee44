import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../engine/state.js';
import { daemonClient } from '../../src/client/daemon-client.js';
import { ControlClient } from '../../src/control-client.js';
import type { Connection, ConsoleSource } from '../../views/source.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** What the console's header and panes are fed, against a real daemon that goes away and comes back. */
describe('the console attached to a daemon', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  beforeAll(async () => {
    g = await setupGreen({ noEngine: true, extra: 'reconcile:\n  schedule: "0 0 1 1 *"' });
    d = await startDaemon(g.configFile, g.env);
  });
  afterAll(async () => {
    await d?.stop();
    await g?.cleanup();
  });

  it('reads the snapshot, shows the daemon gone, and recovers with a fresh snapshot when it is back', async () => {
    const client = (await ControlClient.connect(g.config.control.socket!))!;
    const source: ConsoleSource = { ...daemonClient(client), user: 'olivia' };
    const states: Connection[] = [];
    const snapshots: Snapshot[] = [];
    const events: string[] = [];
    const stop = source.connect({
      onConnection: (c) => states.push(c),
      onSnapshot: (s) => snapshots.push(s),
      onEvent: (e) => events.push(e.type),
    });
    try {
      await waitUntil(() => states.at(-1)?.state === 'connected' && snapshots.length === 1, 'connected with a snapshot', 15_000);
      expect(states.at(-1)?.daemon?.pid).toBe(d.pid);
      expect(Object.keys(snapshots[0].environments)).toEqual([g.project]);
      await waitUntil(() => events.includes('containers'), 'container rows while the stream is open', 15_000);
      expect(await source.branches(g.project)).toEqual(['master']);

      // a build queued through the source arrives as events, named for the operator
      const queued = await source.trigger({ project: g.project, branch: 'master', requestedBy: source.user });
      expect(queued).toMatchObject({ requestedBy: 'olivia', trigger: 'manual' });
      await waitUntil(() => events.includes('build.updated'), 'the build announced', 15_000);
      await source.cancel(queued.id, source.user).catch(() => undefined);

      const pid = d.pid;
      expect(await d.stop()).toBe(0);
      await waitUntil(() => states.at(-1)?.state === 'disconnected', 'disconnected', 15_000);
      expect(states.at(-1)?.detail).toBeTruthy();
      expect(states.at(-1)?.retryAt).toBeGreaterThan(Date.now() - 6000);

      d = await startDaemon(g.configFile, g.env);
      await waitUntil(() => states.at(-1)?.state === 'connected' && snapshots.length === 2, 'reconnected with a fresh snapshot', 20_000);
      expect(states.at(-1)?.daemon?.pid).toBe(d.pid);
      expect(d.pid).not.toBe(pid);
      expect(snapshots[1].builds.find((b) => b.id === queued.id)).toBeTruthy();
    } finally {
      stop();
    }
  });
});
