import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { type LoadResult, type LoadRun, type LoadSample, startLoad, versionOf } from '../helpers/http-load.js';

/**
 * Production under steady load (16 keep-alive clients on each app's /health, through the front
 * proxy) while it changes: a release, a rollback to the warm previous release, a rollback to an
 * older (cold) release, a release that is never healthy, and one that fails after the switch.
 * Each asserts that no request failed and which release answered when — correctness, not timing.
 */
describe('production through the front proxy: no request fails while it changes', () => {
  let g: GreenSetup;
  const url = (app: 'billing' | 'weight') => `http://127.0.0.1:${g.ports[app]}/health`;

  beforeAll(async () => {
    g = await setupGreen();
    await g.origin.commitAll('chore: first release');
    await g.origin.push('master');
    const first = await g.engine.run({ project: g.project, branch: 'master' });
    expect(first.status, first.reason).toBe('success');
    expect(first.version).toBe('v0.1.0');
  }, 180_000);
  afterAll(async () => {
    await g?.cleanup();
  });

  /**
   * Runs `change` with both apps under load; returns each app's answers. A build's load starts when
   * its production stages do (promote): the production change is what is measured, not how a
   * 2-core machine answers while it also builds images and runs tests.
   */
  async function underLoad<T>(
    change: () => Promise<T>,
    opts: { fromPromote?: boolean } = {},
  ): Promise<{ result: T; loads: Record<'billing' | 'weight', LoadResult> }> {
    let runs: Record<'billing' | 'weight', LoadRun> | undefined;
    const begin = () => {
      runs ??= { billing: startLoad(url('billing')), weight: startLoad(url('weight')) };
      return runs;
    };
    let unsubscribe = () => {};
    if (opts.fromPromote) {
      unsubscribe = g.engine.subscribe((e) => {
        if (e.type === 'stage.updated' && e.stage.name === 'promote' && e.stage.status === 'running') begin();
      });
    } else {
      // the load is flowing for a second before anything changes
      const t0 = Date.now();
      await Promise.all(Object.values(begin()).map((r) => r.waitFor((s) => s.sent > t0 + 1000)));
    }
    const result = await change().finally(unsubscribe);
    // and for a second after
    const after = Date.now();
    const all = begin();
    await Promise.all(Object.values(all).map((r) => r.waitFor((s) => s.sent > after + 1000)));
    return { result, loads: { billing: await all.billing.stop(), weight: await all.weight.stop() } };
  }

  function noFailures(load: LoadResult): void {
    expect(load.failures, JSON.stringify(load.failures.slice(0, 5))).toEqual([]);
    expect(load.ok).toBeGreaterThan(10);
  }

  /**
   * Every answer came from an app, none from the proxy itself (HAProxy's 502/503/504 pages are
   * HTML: no server to send the request to). The sample's billing may itself answer 503 when its
   * probe of weight times out (3 s) on a loaded 2-core machine (the whole suite running beside,
   * apps at 0.5 CPU): those are the app's own answers, from the release the proxy chose, counted
   * and printed, not asserted on — what the proxy did is.
   */
  function allFromApps(load: LoadResult, app: string): void {
    const proxyAnswers = load.samples.filter((x) => x.status !== 200 && !isJson(x.body));
    expect(proxyAnswers.length, `${proxyAnswers[0]?.status} ${proxyAnswers[0]?.body.slice(0, 200)}`).toBe(0);
    const appErrors = load.samples.filter((x) => x.status !== 200);
    if (appErrors.length)
      console.log(
        `${app}: ${appErrors.length} of ${load.samples.length} answers were the app's own ${appErrors[0].status}: ${appErrors[0].body.slice(0, 160)}`,
      );
  }

  /** The versions that answered, in the order the requests were sent, merged into runs (a switch is one boundary). */
  function handover(samples: LoadSample[], from: string, to: string): void {
    const sorted = [...samples].filter((s) => s.status === 200).sort((a, b) => a.sent - b.sent);
    const firstNew = sorted.find((s) => versionOf(s) === to);
    expect(firstNew, `no answer from ${to}`).toBeDefined();
    const lastOld = sorted.filter((s) => versionOf(s) === from).at(-1);
    expect(lastOld, `no answer from ${from}`).toBeDefined();
    // one switch: the old release answers nothing sent once the new one took over (the two runtime
    // commands of a switch are a millisecond apart; 250 ms covers a loaded CI machine)
    expect(lastOld!.sent - firstNew!.sent).toBeLessThan(250);
    expect(sorted.filter((s) => s.status === 200 && versionOf(s) !== from && versionOf(s) !== to)).toEqual([]);
  }

  it('a release: the new release takes over without a failed request, and the old one answers nothing after', async () => {
    await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    const { result: build, loads } = await underLoad(() => g.engine.run({ project: g.project, branch: 'master' }), { fromPromote: true });
    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBe('v0.2.0');
    for (const [app, load] of Object.entries(loads)) {
      noFailures(load);
      allFromApps(load, app);
      handover(load.samples, 'v0.1.0', 'v0.2.0');
    }
    // the previous release is warm: its apps still run, taking no requests
    const warm = await docker.listContainers([`greenci.project=${g.project}`, 'greenci.release=v0.1.0', 'greenci.role=app']);
    expect(warm.map((c) => c.State)).toEqual(['running', 'running']);
  });

  it('a rollback to the warm previous release is a switch: no failed request, no container started', async () => {
    const before = (await docker.listContainers([`greenci.project=${g.project}`])).map((c) => c.Id).sort();
    const { result, loads } = await underLoad(() => g.engine.rollback({ project: g.project, requestedBy: 'ops' }));
    expect(result.to.version).toBe('v0.1.0');
    expect(result.warm).toBe(true);
    for (const [app, load] of Object.entries(loads)) {
      noFailures(load);
      allFromApps(load, app);
      handover(load.samples, 'v0.2.0', 'v0.1.0');
    }
    expect((await docker.listContainers([`greenci.project=${g.project}`])).map((c) => c.Id).sort()).toEqual(before);
    expect(g.store.audit.list(g.project, 5).find((a) => a.action === 'rollback')).toMatchObject({
      actor: 'ops',
      outcome: 'success',
    });
    // a manual rollback holds production; the next steps release again
    g.engine.liftHold({ project: g.project, requestedBy: 'ops' });
  });

  it('a rollback to an older release starts it beside the live one, then switches: no failed request', async () => {
    await g.origin.commitAll('feat: v0.3.0');
    await g.origin.push('master');
    const v3 = await g.engine.run({ project: g.project, branch: 'master' });
    expect(
      v3.version,
      `${v3.reason} ${g.engine
        .logs(v3.id)
        .filter((l) => l.stage === 'promote')
        .map((l) => l.line)
        .join(' | ')}`,
    ).toBe('v0.3.0');
    // live v0.3.0, warm v0.1.0; v0.2.0's apps were retired
    expect(await docker.listContainers([`greenci.project=${g.project}`, 'greenci.release=v0.2.0', 'greenci.role=app'])).toEqual([]);

    const { result, loads } = await underLoad(() => g.engine.rollback({ project: g.project, to: 'v0.2.0', requestedBy: 'ops' }));
    expect(result.to.version).toBe('v0.2.0');
    expect(result.warm).toBe(false);
    g.engine.liftHold({ project: g.project, requestedBy: 'ops' });
    for (const [app, load] of Object.entries(loads)) {
      noFailures(load);
      allFromApps(load, app);
      handover(load.samples, 'v0.3.0', 'v0.2.0');
    }
  });

  it('a release that is never healthy never takes a request: production answers from the live release throughout', async () => {
    await g.origin.commitVariant('prod-unhealthy', 'fix: currency handling');
    await g.origin.push('master');
    const { result: build, loads } = await underLoad(() => g.engine.run({ project: g.project, branch: 'master' }), {
      fromPromote: true,
    }).finally(() => g.origin.revertVariant('prod-unhealthy', 'revert: currency handling'));
    expect(build.status, build.reason).toBe('failed');
    expect(build.reason).toMatch(/it never took a request\); production kept serving v0\.2\.0$/);
    for (const [app, load] of Object.entries(loads)) {
      noFailures(load);
      allFromApps(load, app);
      expect(new Set(load.samples.filter((x) => x.status === 200).map(versionOf))).toEqual(new Set(['v0.2.0']));
    }
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
  });

  it('a release that fails after the switch is switched back to the warm previous release: no failed request', async () => {
    await g.origin.commitVariant('fails-later', 'feat: connection pool');
    await g.origin.push('master');
    const { result: build, loads } = await underLoad(() => g.engine.run({ project: g.project, branch: 'master' }), { fromPromote: true });
    expect(build.status, build.reason).toBe('failed');
    expect(build.outcome).toBe('rolled-back');
    expect(build.reason).toMatch(
      /failed in production \(app billing answered 503 .*three times in a row\); switched back to the warm v0\.2\.0 in \d+ ms, which is healthy$/,
    );
    const failed = build.version!;
    // billing: live, then the new release (200, then its 503s), then live again — never a refused or reset request
    noFailures(loads.billing);
    const sorted = [...loads.billing.samples].sort((a, b) => a.sent - b.sent);
    const isNew = (x: LoadSample) => versionOf(x) === failed || x.body.includes('lost its connection pool');
    const firstNew = sorted.findIndex(isNew);
    const lastNew = sorted.length - 1 - [...sorted].reverse().findIndex(isNew);
    expect(firstNew, 'the failed release took requests between the switch and the switch back').toBeGreaterThan(0);
    const fromLive = (x: LoadSample) => versionOf(x) === 'v0.2.0' || (x.status !== 200 && isJson(x.body) && !isNew(x));
    expect(sorted.slice(0, firstNew).every(fromLive)).toBe(true);
    expect(sorted.slice(lastNew + 1).every(fromLive)).toBe(true);
    expect(sorted.slice(lastNew + 1).filter((x) => x.status === 200).length).toBeGreaterThan(10);
    expect(sorted.filter((x) => x.status !== 200 && !isJson(x.body))).toEqual([]);
    noFailures(loads.weight);
    allFromApps(loads.weight, 'weight');
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
    // the failed release's apps are gone
    expect(await docker.listContainers([`greenci.project=${g.project}`, `greenci.release=${failed}`])).toEqual([]);
  });

  it('drift: production apps removed by hand are restored by the next production stage, which says so', async () => {
    const { version: live, sha } = g.engine.releases(g.project).live!;
    for (const c of await docker.listContainers([`greenci.project=${g.project}`, 'greenci.role=app', `greenci.release=${live}`]))
      await docker.api.getContainer(c.Id).remove({ force: true });
    // the proxy has nothing to send requests to: not what greenci may claim production runs
    expect((await fetch(url('billing')).catch(() => undefined))?.status).not.toBe(200);

    // master again on the commit production runs: nothing new to release, but what runs is checked
    const build = await g.engine.run({ project: g.project, branch: 'master', sha });
    expect(build.status, build.reason).toBe('success');
    const lines = g.engine
      .logs(build.id)
      .filter((l) => l.stage === 'deploy-production')
      .map((l) => l.line);
    const drift = lines.find((l) => l.startsWith(`production should run ${live} but does not: `));
    expect(drift, lines.join('\n')).toMatch(/: weight: no container; billing: no container; restoring it$/);
    expect(lines).toContain(`production restored to ${live}`);
    for (const app of ['billing', 'weight'] as const) {
      const res = await fetch(url(app));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { version: string }).version).toBe(live);
    }
  });
});

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
