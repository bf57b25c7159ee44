import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationFailedError } from '../../engine/errors.js';
import { openStore } from '../../engine/store/index.js';
import { docker, envContainers, getJson, sendJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

/**
 * The production branch from first release to rollback, on a real Docker engine with a bare
 * repository standing in for GitHub. The steps build on each other, in order.
 */
describe('master pipeline: release, failed tests, failed production, rollback', () => {
  let g: GreenSetup;
  const shas: Record<string, string> = {};
  let billId = '';
  const truck = `T-${Date.now()}`;
  const prod = (app: 'billing' | 'weight', p = '/health') => `http://127.0.0.1:${g.ports[app]}${p}`;

  beforeAll(async () => {
    g = await setupGreen();
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('releases the first good master commit as v0.1.0: production serves it, the tag is pushed, the release is live', async () => {
    shas.v1 = await g.origin.commitAll('chore: first release');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'alice' });

    expect(build.status, build.reason).toBe('success');
    expect(build.stages.map((s) => [s.name, s.status])).toEqual([
      ['checkout', 'success'],
      ['config', 'success'],
      ['build', 'success'],
      ['deploy-test', 'success'],
      ['test', 'success'],
      ['promote', 'success'],
      ['deploy-production', 'success'],
      ['release', 'success'],
    ]);
    expect(build.version).toBe('v0.1.0');
    for (const app of ['billing', 'weight'] as const) {
      const health = await getJson(prod(app));
      expect(health).toMatchObject({ status: 200, body: { app, commit: shas.v1, version: 'v0.1.0', env: 'production' } });
    }
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0']);
    expect(await g.origin.tagTarget('v0.1.0')).toBe(shas.v1);
    const { releases, live } = g.engine.releases(g.project);
    expect(releases.map((r) => r.version)).toEqual(['v0.1.0']);
    expect(live?.version).toBe('v0.1.0');
    expect(Object.keys(live!.images).sort()).toEqual(['billing', 'billing-db', 'weight', 'weight-db']);
    expect(await docker.imageId(`${g.project}-billing:v0.1.0-prod`)).toBe(live!.images.billing.id);

    // production data written now must survive every deploy and rollback below
    expect((await sendJson('POST', prod('weight', '/weighings'), { truckId: truck, kg: 2000 })).status).toBe(201);
    const bill = await sendJson('POST', prod('billing', '/bills'), { truckId: truck });
    expect(bill).toMatchObject({ status: 201, body: { amount: 1000 } });
    billId = bill.body.id;
  });

  it('running master again on the commit production already runs releases nothing new and leaves production alone', async () => {
    const before = await envContainers(g.project, 'production');
    const build = await g.engine.run({ project: g.project, branch: 'master' });

    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBe('v0.1.0');
    expect(
      g.engine
        .logs(build.id)
        .some((l) => l.stage === 'promote' && l.line === 'production already runs this commit as v0.1.0: no new release'),
    ).toBe(true);
    const after = await envContainers(g.project, 'production');
    expect(
      Object.values(after)
        .map((c) => c.Id)
        .sort(),
    ).toEqual(
      Object.values(before)
        .map((c) => c.Id)
        .sort(),
    );
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0']);
    expect(g.engine.releases(g.project).releases).toHaveLength(1);
  });

  it('a master push whose tests fail never touches production and creates no tag', async () => {
    shas.broken = await g.origin.commitVariant('break-test', 'fix: billing rounding');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master' });

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(/^test: tests failed: api exited 1/);
    expect(build.stages.filter((s) => ['promote', 'deploy-production', 'release'].includes(s.name)).map((s) => s.status)).toEqual([
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(g.engine.logs(build.id).some((l) => l.stage === 'test' && /^not ok - .*625/.test(l.line))).toBe(true);
    expect((await getJson(prod('billing'))).body).toMatchObject({ commit: shas.v1, version: 'v0.1.0' });
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0']);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.1.0');
  });

  it('the next good feature commit becomes v0.2.0 and the production databases keep their data', async () => {
    await g.origin.revertVariant('break-test', 'revert: billing rounding');
    shas.v2 = await g.origin.commitVariant('v2', 'feat: weight API v2');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master' });

    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBe('v0.2.0');
    expect((await getJson(prod('weight'))).body).toMatchObject({ commit: shas.v2, version: 'v0.2.0', apiVersion: 2 });
    expect((await getJson(prod('billing', `/bills/${billId}`))).body).toMatchObject({ id: billId, amount: 1000 });
    expect((await getJson(prod('weight', `/trucks/${truck}/total`))).body).toMatchObject({ kg: 2000 });
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0', 'v0.2.0']);
  });

  it('an older master commit than the live release is built and tested but not released over it', async () => {
    const before = await envContainers(g.project, 'production');
    const build = await g.engine.run({ project: g.project, branch: 'master', sha: shas.v1 });

    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBeUndefined();
    expect(
      g.engine
        .logs(build.id)
        .some(
          (l) =>
            l.stage === 'promote' && /^production runs v0\.2\.0 \(.*\), which is newer than this commit: it is not released$/.test(l.line),
        ),
    ).toBe(true);
    expect(
      Object.values(await envContainers(g.project, 'production'))
        .map((c) => c.Id)
        .sort(),
    ).toEqual(
      Object.values(before)
        .map((c) => c.Id)
        .sort(),
    );
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
  });

  it('a release that never becomes healthy in production never takes a request: production keeps serving, the build says why', async () => {
    shas.bad = await g.origin.commitVariant('prod-unhealthy', 'fix: currency handling');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master' });

    expect(build.status).toBe('failed');
    expect(build.version).toBe('v0.2.1');
    expect(build.reason).toMatch(
      /^deploy-production: v0\.2\.1 was not released \(app billing v0\.2\.1 did not answer 200 .*BILLING_CURRENCY is required in production.*; it never took a request\); production kept serving v0\.2\.0$/,
    );
    expect(build.stages.find((s) => s.name === 'test')?.status).toBe('success');
    expect(build.stages.find((s) => s.name === 'release')?.status).toBe('skipped');
    for (const app of ['billing', 'weight'] as const) {
      expect((await getJson(prod(app))).body).toMatchObject({ status: 'ok', commit: shas.v2, version: 'v0.2.0' });
    }
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0', 'v0.2.0']);
    const deployments = g.store.releases.deployments(g.project, 'production', 2);
    expect(deployments.map((d) => [d.kind, d.version, d.status])).toEqual([
      ['promote', 'v0.2.1', 'failed'],
      ['promote', 'v0.2.0', 'success'],
    ]);
    // its apps are gone: nothing of v0.2.1 runs
    expect(await docker.listContainers([`greenci.project=${g.project}`, 'greenci.release=v0.2.1'])).toEqual([]);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
    expect((await getJson(prod('billing', `/bills/${billId}`))).status).toBe(200);
  });

  it('rolls back to a chosen release, records who asked, and keeps the data', async () => {
    const result = await g.engine.rollback({ project: g.project, to: 'v0.1.0', requestedBy: 'bob' });

    expect(result.to.version).toBe('v0.1.0');
    expect(result.from?.version).toBe('v0.2.0');
    expect((await getJson(prod('weight'))).body).toMatchObject({ commit: shas.v1, version: 'v0.1.0', apiVersion: 1 });
    expect((await getJson(prod('billing', `/bills/${billId}`))).body).toMatchObject({ id: billId, amount: 1000 });
    expect(g.engine.releases(g.project).live?.version).toBe('v0.1.0');
    const [hold, audit] = g.store.audit.list(g.project, 2);
    expect(audit).toMatchObject({ actor: 'bob', action: 'rollback', target: 'v0.1.0', outcome: 'success', detail: { from: 'v0.2.0' } });
    // and production is held until someone releases (test/integration/production-hold.test.ts follows that through)
    expect(hold).toMatchObject({ actor: 'bob', action: 'hold', target: 'v0.1.0' });
    expect(result.hold).toMatchObject({ by: 'bob', version: 'v0.1.0', reason: 'rolled back from v0.2.0 to v0.1.0' });

    // the record is in the SQLite file, not only in memory
    const reopened = openStore(g.dataDir);
    expect(reopened.releases.liveRelease(g.project)?.version).toBe('v0.1.0');
    reopened.close();
  });

  it('refuses to roll back past the first release', async () => {
    await expect(g.engine.rollback({ project: g.project, requestedBy: 'bob' })).rejects.toThrow(/v0\.1\.0 is the first release/);
  });

  it('a release whose images are gone says so and changes nothing', async () => {
    const v2 = g.store.releases.byVersion(g.project, 'v0.2.0')!;
    // v0.2.0 is warm after the rollback; once retired, nothing holds its images
    for (const c of await docker.listContainers([`greenci.project=${g.project}`, 'greenci.release=v0.2.0', 'greenci.role=app']))
      await docker.api.getContainer(c.Id).remove({ force: true });
    await docker.api.getImage(v2.images.weight.id).remove({ force: true, noprune: true });
    const before = (await getJson(prod('weight'))).body;

    const attempt = g.engine.rollback({ project: g.project, to: 'v0.2.0', requestedBy: 'carol' });
    await expect(attempt).rejects.toThrow(OperationFailedError);
    await expect(attempt).rejects.toThrow(/images are gone .*weight:v0\.2\.0-prod.*production was not changed/);
    expect((await getJson(prod('weight'))).body).toEqual(before);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.1.0');
    expect(g.store.audit.list(g.project, 1)[0]).toMatchObject({ actor: 'carol', outcome: expect.stringMatching(/^refused: images gone/) });
  });
});
