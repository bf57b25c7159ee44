import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker, envContainers, getJson } from '../helpers/docker-env.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** The daemon killed with SIGKILL in the middle of a production deploy, stopped with SIGTERM mid-build, and started again. */
describe('greenci daemon: crash recovery and graceful shutdown', () => {
  let g: GreenSetup;
  let d: DaemonRun | undefined;
  let store: Store;
  const RARE = 'reconcile:\n  schedule: "0 0 1 1 *"';
  const ended = (id: number) => waitUntil(() => ['success', 'failed', 'cancelled'].includes(store.builds.get(id)?.status ?? '') && store.builds.get(id)!, `build #${id} to end`);
  const push = async (branch: string, sha: string) => {
    const r = await deliver(d!.webhookUrl, pushPayload({ repo: g.github, branch, after: sha }), { secret: g.secret });
    expect(r.status).toBe(202);
    return r;
  };
  const prod = (app: 'billing' | 'weight') => `http://127.0.0.1:${g.ports[app]}/health`;

  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '10s', noEngine: true, extra: RARE });
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('kill -9 during deploy-production: on restart no delivery is lost, no build stays running, and production ends consistent', async () => {
    d = await startDaemon(g.configFile, g.env);
    const v1 = await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    const first = await push('master', v1);
    expect(await ended(first.body.build)).toMatchObject({ status: 'success', version: 'v0.1.0' });

    const v2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    const second = await push('master', v2);
    await d.waitForLog((e) => e.build === second.body.build && e.stage === 'deploy-production' && e.status === 'running');
    // a feature push accepted (202) a moment before the crash
    await g.origin.checkoutNewBranch('feature-late');
    const late = await g.origin.commitAll('feat: late');
    await g.origin.push('feature-late');
    const accepted = await push('feature-late', late);
    d.child.kill('SIGKILL');
    await d.exited;
    expect(store.builds.get(second.body.build)?.status).toBe('running'); // as the crash left it

    d = await startDaemon(g.configFile, g.env);
    const note = d.logs.find((e) => e.build === second.body.build && /was interrupted during deploy-production; queued again as #\d+/.test(e.msg))!;
    expect(note).toBeDefined();
    expect(store.builds.get(second.body.build)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^interrupted: the greenci process running it \(pid \d+\) stopped during deploy-production; re-queued/) });
    // production was checked against the live release before anything else ran
    expect(d.logs.some((e) => /^production .* (runs v0\.1\.0 as recorded|does not match the live release v0\.1\.0)/.test(e.msg))).toBe(true);
    const again = Number(/queued again as #(\d+)/.exec(note.msg)![1]);
    expect(await ended(again)).toMatchObject({ status: 'success', version: 'v0.2.0', trigger: 'recovery', retryOf: second.body.build, requestedSha: v2 });
    // the delivery accepted before the crash was not lost
    expect(store.deliveries.get(accepted.id)).toMatchObject({ outcome: 'queued', buildId: accepted.body.build });
    expect(await ended(accepted.body.build)).toMatchObject({ status: 'success', sha: late });
    expect(store.builds.list({ project: g.project }).filter((b) => b.status === 'running' || b.status === 'queued')).toEqual([]);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.2.0', apiVersion: 2, commit: v2 });
    expect(store.releases.deployments(g.project, 'production').filter((x) => x.status === 'running')).toEqual([]);
  });

  it('a production container removed behind greenci\'s back is noticed at start and the live release restored', async () => {
    await d!.stop();
    const { weight } = await envContainers(g.project, 'production');
    await docker.removeContainer(weight.Id);
    d = await startDaemon(g.configFile, g.env);
    expect(d.logs.some((e) => e.msg.includes('does not match the live release v0.2.0: weight: no container'))).toBe(true);
    expect(d.logs.some((e) => e.msg === `production ${g.project} restored to v0.2.0`)).toBe(true);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.2.0', apiVersion: 2 });
    expect(store.releases.deployments(g.project, 'production', 1)[0]).toMatchObject({ kind: 'restore', status: 'success', version: 'v0.2.0', requestedBy: 'greenci' });
    expect(store.audit.list(g.project).find((a) => a.action === 'restore')).toMatchObject({ actor: 'greenci', outcome: 'success' });
  });

  it('SIGTERM: webhooks stop at once, the running stage finishes, the build is queued again, the daemon exits 0; the next start runs it', async () => {
    await g.origin.checkout('feature-late');
    const sha = await g.origin.commitAll('feat: during shutdown');
    await g.origin.push('feature-late');
    const r = await push('feature-late', sha);
    const id = r.body.build as number;
    await d!.waitForLog((e) => e.build === id && e.stage === 'build' && e.status === 'running');
    const address = new URL(d!.webhookUrl);
    d!.child.kill('SIGTERM');
    const code = await d!.exited;
    expect(code).toBe(0);
    const build = store.builds.get(id)!;
    expect(build.stages.find((s) => s.name === 'build')!.status).toBe('success'); // the stage in progress finished
    expect(build).toMatchObject({ status: 'cancelled', reason: expect.stringContaining('greenci is shutting down') });
    const requeued = d!.logs.find((e) => e.retryOf === id && /queued again/.test(e.msg))!;
    expect(store.builds.get(requeued.build)).toMatchObject({ status: 'queued', requestedSha: sha, trigger: 'requeue' });
    expect(d!.logs.at(-1)!.msg).toBe('greenci daemon stopped');
    // nobody takes webhooks any more
    const refused = await new Promise<string>((resolve) => net.connect(Number(address.port), '127.0.0.1').on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')).on('connect', () => resolve('connected')));
    expect(refused).toBe('ECONNREFUSED');

    d = await startDaemon(g.configFile, g.env);
    expect(await ended(requeued.build)).toMatchObject({ status: 'success', sha });
  });
});
