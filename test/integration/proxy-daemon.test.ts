import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker } from '../helpers/docker-env.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { startLoad } from '../helpers/http-load.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * The front proxy belongs to production, not to greenci's process: it keeps serving while the
 * daemon is killed and started again, and when the proxy itself is killed the monitor notices,
 * starts it again and records the alert.
 */
describe('the front proxy outlives greenci, and greenci watches it', () => {
  let g: GreenSetup;
  let d: DaemonRun | undefined;
  let store: Store;
  const url = () => `http://127.0.0.1:${g.ports.billing}/health`;
  const proxyKey = () => `${g.project}/production/proxy`;

  beforeAll(async () => {
    g = await setupGreen({
      healthTimeout: '15s',
      noEngine: true,
      extra: [
        'reconcile:',
        '  schedule: "0 0 1 1 *"',
        'monitor:',
        '  schedule: "*/2 * * * * *"',
        '  timeout: 2000ms',
        '  downAfter: 2',
      ].join('\n'),
    });
    store = openStore(g.dataDir);
    d = await startDaemon(g.configFile, g.env);
    const sha = await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    const r = await deliver(d.webhookUrl, pushPayload({ repo: g.github, branch: 'master', after: sha }), { secret: g.secret });
    expect(r.status).toBe(202);
    const id = r.body.build as number;
    await waitUntil(
      () => ['success', 'failed'].includes(store.builds.get(id)?.status ?? '') && store.builds.get(id),
      `build #${id} to end`,
      180_000,
    );
    expect(store.builds.get(id)).toMatchObject({ status: 'success', version: 'v0.1.0' });
  }, 240_000);
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('kill -9 of the daemon and a restart, with traffic flowing: every request answered', async () => {
    const load = startLoad(url());
    const t0 = Date.now();
    await load.waitFor((s) => s.sent > t0 + 500);
    d!.child.kill('SIGKILL');
    await d!.exited;
    const down = Date.now();
    await load.waitFor((s) => s.sent > down + 1000);
    d = await startDaemon(g.configFile, g.env);
    const up = Date.now();
    await load.waitFor((s) => s.sent > up + 1000);
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.samples.filter((s) => s.status !== 200 && !s.body.startsWith('{'))).toEqual([]);
    expect(result.samples.filter((s) => s.sent > down && s.sent < up && s.status === 200).length).toBeGreaterThan(10);
  });

  it('a killed proxy is started again by the monitor, and the alert is recorded', async () => {
    await waitUntil(() => store.health.get(proxyKey())?.state === 'healthy' && true, 'the monitor to check the proxy', 30_000);
    const [proxy] = await docker.listContainers([`greenci.project=${g.project}`, 'greenci.role=proxy']);
    const before = Math.max(0, ...store.health.transitions({ key: proxyKey() }).map((t) => t.id));
    await docker.api.getContainer(proxy.Id).kill();
    await waitUntil(
      () => store.health.transitions({ key: proxyKey() }).find((t) => t.id > before && t.to === 'down'),
      'the proxy reported down',
      30_000,
    );
    // started again: it answers production's requests
    await waitUntil(
      async () => (await fetch(url()).catch(() => undefined))?.status === 200,
      'production answering through the restarted proxy',
      60_000,
    );
    expect(store.audit.list(g.project, 20).find((a) => a.action === 'heal' && a.target?.includes('proxy'))).toBeDefined();
  });
});
