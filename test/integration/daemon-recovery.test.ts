import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker, getJson } from '../helpers/docker-env.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** The daemon killed with SIGKILL in the middle of a production deploy, stopped with SIGTERM mid-build, and started again. */
describe('greenci daemon: crash recovery and graceful shutdown', () => {
  let g: GreenSetup;
  let d: DaemonRun | undefined;
  let store: Store;
  const RARE = 'reconcile:\n  schedule: "0 0 1 1 *"';
  const ended = (id: number) =>
    waitUntil(
      () => ['success', 'failed', 'cancelled'].includes(store.builds.get(id)?.status ?? '') && store.builds.get(id)!,
      `build #${id} to end`,
    );
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
    const note = d.logs.find(
      (e) => e.build === second.body.build && /was interrupted during deploy-production; queued again as #\d+/.test(e.msg),
    )!;
    expect(note).toBeDefined();
    expect(store.builds.get(second.body.build)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^interrupted: the greenci process running it \(pid \d+\) stopped during deploy-production; re-queued/),
    });
    // production was checked against the live release before anything else ran
    expect(d.logs.some((e) => /^production .* (runs v0\.1\.0 as recorded|does not match the live release v0\.1\.0)/.test(e.msg))).toBe(
      true,
    );
    const again = Number(/queued again as #(\d+)/.exec(note.msg)![1]);
    // greenci never promotes on its own behalf: the re-queued build is built and tested, production waits for an operator
    expect(await ended(again)).toMatchObject({
      status: 'success',
      outcome: 'not-released',
      version: undefined,
      trigger: 'recovery',
      retryOf: second.body.build,
      requestedSha: v2,
      reason: `not released: crash recovery queued it again, and greenci does not promote on its own behalf; \`greenci release ${g.project} --build ${again}\` releases it`,
    });
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.1.0' });
    expect(store.releases.liveRelease(g.project)?.version).toBe('v0.1.0');
    // the operator releases it, through the daemon
    const released = await greenciDone(['release', g.project, '--build', String(again), '--config', g.configFile], {
      ...g.env,
      USER: 'ops',
      SUDO_USER: '',
    });
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toContain('(asked by ops, through the daemon)');
    expect(released.stdout).toMatch(
      new RegExp(`✔ production ${g.project} runs v0\\.2\\.0 \\(${v2.slice(0, 12)}, tested by build #${again}\\)$`, 'm'),
    );
    // the delivery accepted before the crash was not lost
    expect(store.deliveries.get(accepted.id)).toMatchObject({ outcome: 'queued', buildId: accepted.body.build });
    expect(await ended(accepted.body.build)).toMatchObject({ status: 'success', sha: late });
    expect(store.builds.list({ project: g.project }).filter((b) => b.status === 'running' || b.status === 'queued')).toEqual([]);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.2.0', apiVersion: 2, commit: v2 });
    expect(store.releases.deployments(g.project, 'production').filter((x) => x.status === 'running')).toEqual([]);
    // four pipelines on the MariaDB sample (two release, one is interrupted and run again, a feature
    // branch): 125 s alone here, more when the suite shares the machine
  }, 360_000);

  it("a production container removed behind greenci's back is noticed at start and the live release restored", async () => {
    await d!.stop();
    // the live release's weight (the previous release's stays warm beside it)
    const [weight] = await docker.listContainers([`greenci.project=${g.project}`, 'greenci.service=weight', 'greenci.release=v0.2.0']);
    await docker.removeContainer(weight.Id);
    d = await startDaemon(g.configFile, g.env);
    expect(d.logs.some((e) => e.msg.includes('does not match the live release v0.2.0: weight: no container'))).toBe(true);
    expect(d.logs.some((e) => e.msg === `production ${g.project} restored to v0.2.0`)).toBe(true);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.2.0', apiVersion: 2 });
    expect(store.releases.deployments(g.project, 'production', 1)[0]).toMatchObject({
      kind: 'restore',
      status: 'success',
      version: 'v0.2.0',
      requestedBy: 'greenci',
    });
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
    const refused = await new Promise<string>((resolve) =>
      net
        .connect(Number(address.port), '127.0.0.1')
        .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''))
        .on('connect', () => resolve('connected')),
    );
    expect(refused).toBe('ECONNREFUSED');

    d = await startDaemon(g.configFile, g.env);
    expect(await ended(requeued.build)).toMatchObject({ status: 'success', sha });
  });

  it('kill -9 during deploy-test: on restart that test deployment is interrupted, not running for good', async () => {
    const sha = await g.origin.commitAll('feat: killed while deploying to test');
    await g.origin.push('feature-late');
    const id = (await push('feature-late', sha)).body.build as number;
    const ghost = await waitUntil(
      () => store.releases.deployments(g.project, 'test', 1).find((x) => x.buildId === id && x.status === 'running'),
      `build #${id} deploying to test`,
    );
    d!.child.kill('SIGKILL');
    await d!.exited;

    d = await startDaemon(g.configFile, g.env);
    expect(store.releases.deployments(g.project, 'test').find((x) => x.id === ghost.id)).toMatchObject({
      status: 'interrupted',
      reason: expect.stringMatching(/^interrupted: greenci stopped during this deployment/),
      finishedAt: expect.any(Number),
    });
    expect(store.audit.list(g.project).find((a) => a.action === 'recover' && a.target === 'test')).toMatchObject({
      actor: 'greenci',
      outcome: '1 interrupted test deployment marked interrupted',
    });
    // the build was queued again and deploys the test environment afresh; nothing is left running
    const again = Number(
      /queued again as #(\d+)/.exec(d.logs.find((e) => e.build === id && /was interrupted during deploy-test/.test(e.msg))!.msg)![1],
    );
    expect(await ended(again)).toMatchObject({ status: 'success', sha });
    expect(store.releases.deployments(g.project, 'test').filter((x) => x.status === 'running')).toEqual([]);
  });

  it('kill -9 during release: on restart the build reads released, not failed, the tag is pushed to origin and `greenci releases` says pushed', async () => {
    await g.origin.checkout('master');
    const sha = await g.origin.commitAll('feat: released while greenci dies');
    await g.origin.push('master');
    g.origin.refuseTags({ hold: true });
    const id = (await push('master', sha)).body.build as number;
    // the tag push has reached origin, which holds it: greenci dies in the middle of it
    await waitUntil(() => g.origin.tagPushArrived(), 'the release tag push to reach origin');
    expect(store.builds.get(id)!.stages.find((s) => s.name === 'release')!.status).toBe('running');
    d!.child.kill('SIGKILL');
    await d!.exited;
    g.origin.acceptTags(); // the dead process's push is refused; origin takes tags again
    expect(store.releases.liveRelease(g.project)).toMatchObject({ version: 'v0.3.0', sha, tagPushed: false });
    expect(await g.origin.remoteTags()).not.toContain('v0.3.0');

    d = await startDaemon(g.configFile, g.env);
    // what the build says: released, interrupted during release; not failed, not built again
    expect(store.builds.get(id)).toMatchObject({
      status: 'success',
      version: 'v0.3.0',
      reason: expect.stringMatching(
        /^interrupted: the greenci process running it \(pid \d+\) stopped during release, after v0\.3\.0 went live in production, but its git tag was not pushed then; greenci pushes it on its own/,
      ),
    });
    expect(
      d.logs.some(
        (e) =>
          e.build === id && e.msg === `build #${id} (master) was interrupted during release, after v0.3.0 went live: recorded as released`,
      ),
    ).toBe(true);
    expect(store.builds.list({ project: g.project }).filter((b) => b.retryOf === id)).toEqual([]);
    // the tag: pushed at the start, on the released commit
    expect(
      d.logs.some((e) => e.msg === `release tag v0.3.0 of ${g.project} pushed to origin (it was not pushed when v0.3.0 was released)`),
    ).toBe(true);
    expect(await g.origin.tagTarget('v0.3.0')).toBe(sha);
    const table = await greenciDone(['releases', g.project, '--config', g.configFile], g.env);
    expect(table.stdout.split('\n').find((l) => /\bv0\.3\.0\b/.test(l))).toMatch(/^\*.* pushed /);
    expect(table.stdout).not.toContain('not pushed');
    const builds = await greenciDone(['builds', g.project, '--config', g.configFile], g.env);
    expect(builds.stdout.split('\n').find((l) => l.startsWith(`${id} `))).toMatch(/ success +v0\.3\.0 .* interrupted: /);
    // every change is in the audit table: the promotion, the recovery's record, the tag
    const audit = store.audit.list(g.project);
    expect(audit.find((a) => a.action === 'promote' && a.target === 'v0.3.0')).toMatchObject({ outcome: 'success' });
    expect(audit.find((a) => a.action === 'recover' && a.target === `#${id}`)).toMatchObject({
      actor: 'greenci',
      outcome: expect.stringMatching(/^recorded as released: v0\.3\.0 went live/),
    });
    expect(audit.find((a) => a.action === 'tag' && a.target === 'v0.3.0')).toMatchObject({ actor: 'greenci', outcome: 'pushed' });
  });
});
