import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../engine/model.js';
import { releaseNetworkName } from '../../engine/release/app-container.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { busyboxImage } from '../helpers/busybox.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker } from '../helpers/docker-env.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { type LoadResult, type LoadRun, type LoadSample, startLoad } from '../helpers/http-load.js';
import { waitUntil } from '../helpers/wait.js';

type App = 'billing' | 'weight';
const APPS: App[] = ['billing', 'weight'];

/**
 * Docker gives a container an address at every start: on this engine the lowest one free on its
 * network. When both of a release's apps are started again in the other order (a dockerd restart,
 * their restart policy, `docker restart`), they swap addresses, and a proxy that kept the old ones
 * sends billing's requests to weight and weight's to billing. greenci follows: at the container's
 * start (Docker's event), at its own start (recovery), and on the monitor's scheduled rounds.
 */
describe('the front proxy follows app containers Docker started again on another address', () => {
  let g: GreenSetup;
  let d: DaemonRun | undefined;
  let store: Store;
  let live: string;
  const url = (app: App) => `http://127.0.0.1:${g.ports[app]}/health`;
  // the monitor's own rounds are rare at first: what follows the apps in the first two tests is Docker's event, then recovery
  const config = (schedule: string) =>
    ['reconcile:', '  schedule: "0 0 1 1 *"', 'monitor:', `  schedule: "${schedule}"`, '  timeout: 2000ms'].join('\n');

  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '60s', noEngine: true, extra: config('0 0 1 1 *') });
    store = openStore(g.dataDir);
    d = await startDaemon(g.configFile, g.env);
    const sha = await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    const r = await deliver(d.webhookUrl, pushPayload({ repo: g.github, branch: 'master', after: sha }), { secret: g.secret });
    expect(r.status).toBe(202);
    const id = r.body.build as number;
    const build = await waitUntil(
      () => ['success', 'failed'].includes(store.builds.get(id)?.status ?? '') && store.builds.get(id),
      `build #${id} to end`,
      240_000,
    );
    expect(build, build.reason).toMatchObject({ status: 'success', version: 'v0.1.0' });
    live = build.version!;
  }, 300_000);
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  /** The live release's app containers and their addresses on its network. */
  async function liveApps(): Promise<Record<App, { id: string; addr: string }>> {
    const cs = await docker.listContainers([`greenci.project=${g.project}`, 'greenci.role=app', `greenci.release=${live}`]);
    const out = {} as Record<App, { id: string; addr: string }>;
    for (const c of cs) {
      const info = await docker.api.getContainer(c.Id).inspect();
      out[c.Labels['greenci.service'] as App] = {
        id: c.Id,
        addr: info.NetworkSettings.Networks[releaseNetworkName(g.project, live)]?.IPAddress ?? '',
      };
    }
    return out;
  }

  const ipNumber = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

  /**
   * Stops both apps, then starts the one holding the higher address first: Docker gives it the
   * lowest free address, the other's, and the other the one left (an engine allocating otherwise
   * still gives both another address than before, which is all the test needs). Returns when each
   * container started, by Docker's clock.
   */
  async function startAgainInTheOtherOrder(): Promise<{
    before: Record<App, string>;
    after: Record<App, string>;
    startedAt: Record<App, number>;
  }> {
    const apps = await liveApps();
    const before = { billing: apps.billing.addr, weight: apps.weight.addr };
    await Promise.all(APPS.map((a) => docker.api.getContainer(apps[a].id).stop({ t: 5 })));
    const order = [...APPS].sort((x, y) => ipNumber(before[y]) - ipNumber(before[x]));
    const startedAt = {} as Record<App, number>;
    for (const a of order) {
      await docker.api.getContainer(apps[a].id).start();
      startedAt[a] = Date.parse((await docker.api.getContainer(apps[a].id).inspect()).State.StartedAt);
    }
    const now = await liveApps();
    const after = { billing: now.billing.addr, weight: now.weight.addr };
    // given: neither app answers where the proxy was told it does
    expect(after.billing).not.toBe(before.billing);
    expect(after.weight).not.toBe(before.weight);
    return { before, after, startedAt };
  }

  /** An answer a user wants: 200 from this app of the live release. */
  const right = (app: App) => (s: LoadSample) => s.status === 200 && body(s).app === app && body(s).version === live;
  /** An answer from the other app: what a proxy on stale addresses gives when the two swapped. */
  const wrongApp = (app: App) => (s: LoadSample) => body(s).app !== undefined && body(s).app !== app;

  const readdressRows = (sinceId: number): AuditEntry[] =>
    store.audit.list(g.project, 100).filter((a) => a.id > sinceId && a.action === 'proxy-readdress');
  const lastAuditId = () => Math.max(0, ...store.audit.list(g.project, 100).map((a) => a.id));

  /** Runs load on both apps until each answers right again, and 20 times more; returns the loads and when each first answered right. */
  async function untilRightAgain(
    change: () => Promise<void>,
    from: () => number,
  ): Promise<{ loads: Record<App, LoadResult>; firstRight: Record<App, LoadSample> }> {
    const runs: Record<App, LoadRun> = {
      billing: startLoad(url('billing'), { clients: 4 }),
      weight: startLoad(url('weight'), { clients: 4 }),
    };
    try {
      await change();
      const t = from();
      const firstRight = {} as Record<App, LoadSample>;
      for (const a of APPS) firstRight[a] = await runs[a].waitFor((s) => s.sent >= t && right(a)(s), 60_000);
      // and then 20 more right answers each (a condition: the machine may be slow)
      await Promise.all(
        APPS.map((a) => {
          let n = 0;
          return runs[a].waitFor((s) => s.sent > firstRight[a].at && right(a)(s) && ++n >= 20, 60_000);
        }),
      );
      return { loads: { billing: await runs.billing.stop(), weight: await runs.weight.stop() }, firstRight };
    } finally {
      await Promise.all(APPS.map((a) => runs[a].stop()));
    }
  }

  /** After an app answered right again, nothing sent later came from the other app or from the proxy itself (an error page). */
  function rightFrom(load: LoadResult, app: App, since: LoadSample): void {
    const later = load.samples.filter((s) => s.sent > since.at);
    expect(later.filter(wrongApp(app))).toEqual([]);
    expect(later.filter((s) => s.status !== 200 && !isJson(s.body))).toEqual([]);
    expect(later.filter(right(app)).length).toBeGreaterThanOrEqual(20);
    expect(load.failures.filter((f) => f.at > since.at)).toEqual([]);
  }

  it('Docker starts both apps again in the other order: at their start events the proxy follows, audited and logged', async () => {
    const since = lastAuditId();
    let swap!: Awaited<ReturnType<typeof startAgainInTheOtherOrder>>;
    const { loads, firstRight } = await untilRightAgain(
      async () => {
        swap = await startAgainInTheOtherOrder();
      },
      () => Math.max(swap.startedAt.billing, swap.startedAt.weight),
    );
    for (const a of APPS) rightFrom(loads[a], a, firstRight[a]);

    // audited: by the monitor, what moved, asked by the container's start
    const rows = await waitUntil(() => {
      const r = readdressRows(since);
      return r.length > 0 && r.every((x) => x.outcome) && r;
    }, 'the readdress in the audit trail');
    const moved = rows.flatMap((r) => (r.detail?.changes as { app: App; from: string; to: string }[]) ?? []);
    for (const a of APPS) expect(moved).toContainEqual(expect.objectContaining({ app: a, from: swap.before[a], to: swap.after[a] }));
    for (const r of rows) {
      expect(r).toMatchObject({ actor: 'greenci (monitor)', target: live });
      expect(r.outcome).toMatch(/^the front proxy follows (billing|weight) v0\.1\.0 \(slot a, live\): [\d.]+ → [\d.]+/);
      expect(r.detail?.why).toMatch(/^docker start /);
    }
    // and in the journal
    const logged = d!.logs.filter((e) => /^front proxy .*: Docker started apps again on other addresses; re-addressed /.test(e.msg));
    expect(logged.length).toBeGreaterThan(0);
    // the routes (what a restarted proxy is written from) say where the apps are now
    const routes = JSON.parse(readFileSync(path.join(g.dataDir, 'proxy', g.project, 'routes.json'), 'utf8'));
    for (const a of APPS) expect(routes.apps.find((x: { app: string }) => x.app === a).slots.a.addr).toBe(swap.after[a]);

    for (const a of APPS) {
      const wrong = loads[a].samples.filter(wrongApp(a)).length;
      const log = logged.find((e) => e.msg.includes(`${a} ${live}`));
      console.log(
        `${a}: started ${swap.before[a]} → ${swap.after[a]}; re-addressed ${log ? Date.parse(log.time) - swap.startedAt[a] : '?'} ms after its start; ` +
          `first 200 from ${a} ${live} through the proxy ${firstRight[a].at - swap.startedAt[a]} ms after its start ` +
          `(${wrong} answers from the other app before)`,
      );
    }
  });

  it('while greenci was down: at its next start, recovery points the proxy at where the apps are now', async () => {
    await d!.stop();
    const since = lastAuditId();
    let swap!: Awaited<ReturnType<typeof startAgainInTheOtherOrder>>;
    let ready = 0;
    const { loads, firstRight } = await untilRightAgain(
      async () => {
        swap = await startAgainInTheOtherOrder();
        // nobody follows while greenci is down: the proxy sends each app's requests to the other app's old address
        const stale = await fetch(url('weight')).then((r) => r.text());
        expect(stale).not.toContain('"app":"weight"');
        d = await startDaemon(g.configFile, g.env);
        ready = Date.now();
      },
      () => ready,
    );
    // recovery, before the daemon said it was ready: the first answer after that is right already
    for (const a of APPS) rightFrom(loads[a], a, { ...firstRight[a], at: ready });
    const note = d!.logs.findIndex((e) => /^front proxy .*: Docker started apps again on other addresses; re-addressed /.test(e.msg));
    expect(note).toBeGreaterThanOrEqual(0);
    expect(note).toBeLessThan(d!.logs.findIndex((e) => e.msg === 'greenci daemon ready'));
    const rows = readdressRows(since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'greenci', target: live, detail: { why: 'production checked against the live release' } });
    expect(rows[0].outcome).toContain(`billing ${live} (slot a, live): ${swap.before.billing} → ${swap.after.billing}`);
    expect(rows[0].outcome).toContain(`weight ${live} (slot a, live): ${swap.before.weight} → ${swap.after.weight}`);
    const first = Date.parse(d!.logs[0].time);
    console.log(
      `recovery: re-addressed ${Date.parse(d!.logs[note].time) - first} ms after the daemon's first log line ` +
        `(ready after ${Date.parse(d!.logs.find((e) => e.msg === 'greenci daemon ready')!.time) - first} ms)`,
    );
  });

  it('an address changed without a start (a network reconnected by hand): the next scheduled monitor round follows it', async () => {
    const since = lastAuditId();
    const net = docker.api.getNetwork(releaseNetworkName(g.project, live));
    const apps = await liveApps();
    const old = apps.weight.addr;
    await net.disconnect({ Container: apps.weight.id });
    // a container that listens nowhere takes the address weight had
    const image = await busyboxImage(g.project);
    const holder = await docker.api.createContainer({
      Image: image,
      Cmd: ['sleep', '600'],
      Labels: { 'greenci.project': g.project },
      HostConfig: { Init: true, NetworkMode: releaseNetworkName(g.project, live) },
    });
    await holder.start();
    await net.connect({ Container: apps.weight.id, EndpointConfig: { Aliases: ['weight'] } });
    const now = (await liveApps()).weight.addr;
    expect(now).not.toBe(old);
    // no container started, so no start event: only a monitor round of its own follows it (the
    // scheduled ones below; on a loaded machine the round the restarted daemon runs at its start
    // can come this late and be the one)
    g.writeConfig({ extra: config('* * * * * *') });
    const reloaded = d!.logs.length;
    d!.child.kill('SIGHUP');
    await d!.waitForLog((e) => e.msg === 'config reloaded' && d!.logs.indexOf(e) >= reloaded);
    await waitUntil(
      async () =>
        (
          await fetch(url('weight'))
            .then((r) => r.json())
            .catch(() => ({}))
        ).app === 'weight',
      'weight answering again',
      30_000,
    );
    const rows = readdressRows(since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'greenci (monitor)', target: live });
    expect(rows[0].detail?.why).toMatch(/^monitor round \((schedule|start)\)$/);
    expect(rows[0].outcome).toBe(`the front proxy follows weight ${live} (slot a, live): ${old} → ${now}`);
    await holder.remove({ force: true });
  });
});

function body(s: LoadSample): { app?: string; version?: string } {
  try {
    return JSON.parse(s.body) as { app?: string; version?: string };
  } catch {
    return {};
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
