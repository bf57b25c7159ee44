import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryState } from '../../engine/model.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { type LoadResult, type LoadSample, startLoad, versionOf } from '../helpers/http-load.js';

/**
 * Canary releases through the front proxy under steady load (16 keep-alive clients on billing):
 * the new release takes its share, then everything (promoted), or nothing again (aborted by an
 * operator, or by greenci's checks). No request fails in any of them.
 */
describe('canary releases: a share of real traffic, then promoted or aborted', () => {
  let g: GreenSetup;
  const url = () => `http://127.0.0.1:${g.ports.billing}/health`;
  const canaries: CanaryState[] = [];

  beforeAll(async () => {
    g = await setupGreen();
    // no CPU limit in any release: at 0.5 CPU on a loaded 2-core machine the sample's fresh billing
    // times out probing weight (3 s) and answers 503 — a real reason to abort a canary, but not what
    // these tests are about; and the same limit in every release keeps the databases running
    const file = path.join(g.origin.work, 'greenci.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {6}cpus: 0\.5\n/m, ''));
    await g.origin.commitAll('chore: first release');
    await g.origin.push('master');
    const first = await g.engine.run({ project: g.project, branch: 'master' });
    expect(first.version, first.reason).toBe('v0.1.0');
    g.engine.subscribe((e) => {
      if (e.type === 'canary.updated') canaries.push(e.canary);
    });
  }, 180_000);
  afterAll(async () => {
    await g?.cleanup();
  });

  async function setCanary(weight: number, forWhat: string, message: string): Promise<void> {
    const file = path.join(g.origin.work, 'greenci.yml');
    const text = readFileSync(file, 'utf8')
      .replace(/^ {6}cpus: 0\.5\n/m, '')
      .replace(/^ {4}release:\n(?: {6}.*\n)+/m, `    release:\n      verify: 5s\n      canary: { weight: ${weight}, for: ${forWhat} }\n`);
    writeFileSync(file, text);
    await g.origin.commitAll(message);
    await g.origin.push('master');
  }

  /** A master build with billing under load from its promote stage on; `during` runs once its canary began. */
  async function releaseUnderLoad(during?: (c: CanaryState) => void) {
    let load: ReturnType<typeof startLoad> | undefined;
    const un = g.engine.subscribe((e) => {
      if (e.type === 'stage.updated' && e.stage.name === 'promote' && e.stage.status === 'running') load ??= startLoad(url());
      if (e.type === 'canary.updated' && !e.canary.outcome && during) {
        const d = during;
        during = undefined;
        d(e.canary);
      }
    });
    const build = await g.engine.run({ project: g.project, branch: 'master' }).finally(un);
    load ??= startLoad(url());
    const after = Date.now();
    await load.waitFor((s) => s.sent > after + 1000);
    return { build, load: await load.stop() };
  }

  function noFailures(load: LoadResult): void {
    expect(load.failures, JSON.stringify(load.failures.slice(0, 5))).toEqual([]);
    // every answer from an app (JSON), none from the proxy itself (an HTML error page)
    expect(load.samples.filter((s) => s.status !== 200 && !s.body.startsWith('{'))).toEqual([]);
  }

  const byVersion = (samples: LoadSample[], v: string) => samples.filter((s) => s.status === 200 && versionOf(s) === v);

  it('promoted: the canary takes about its share for its time, then every request; no request fails', async () => {
    await setCanary(25, '5s', 'feat: canary releases');
    const { build, load } = await releaseUnderLoad();
    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBe('v0.2.0');
    noFailures(load);
    const mine = canaries.filter((c) => c.version === 'v0.2.0');
    const end = mine.at(-1)!;
    expect(end).toMatchObject({ outcome: 'promoted', decidedBy: 'greenci', weight: 25, live: 'v0.1.0' });
    // while the canary ran, both answered, the new one about a quarter of the requests
    const during = load.samples.filter((s) => s.status === 200 && s.sent > end.since + 200 && s.sent < end.until - 200);
    const share = byVersion(during, 'v0.2.0').length / during.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.45);
    // the proxy's own counts saw the canary's requests
    expect(end.canary.requests).toBeGreaterThan(0);
    // once promoted, only the new release answers
    const promotedAt = Math.max(...byVersion(load.samples, 'v0.1.0').map((s) => s.sent));
    expect(load.samples.filter((s) => s.sent > promotedAt + 250 && s.status === 200).every((s) => versionOf(s) === 'v0.2.0')).toBe(true);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
    expect(g.store.audit.list(g.project, 10).find((a) => a.action === 'canary-promoted')).toBeDefined();
  });

  it('aborted by an operator: weight 0 at once, the live release takes every request back; no request fails', async () => {
    await setCanary(50, '2m', 'feat: a long canary');
    const { build, load } = await releaseUnderLoad(() => {
      setTimeout(() => g.engine.canaryDecision({ project: g.project, decision: 'abort', requestedBy: 'carol' }), 1500);
    });
    expect(build.status, build.reason).toBe('failed');
    expect(build.outcome).toBe('rolled-back');
    expect(build.reason).toMatch(
      /^deploy-production: v0\.3\.0 canary aborted \(carol aborted it\); switched back to the warm v0\.2\.0 in \d+ ms, which is healthy$/,
    );
    noFailures(load);
    expect(byVersion(load.samples, 'v0.3.0').length).toBeGreaterThan(0);
    const lastCanary = Math.max(...byVersion(load.samples, 'v0.3.0').map((s) => s.sent));
    const later = load.samples.filter((s) => s.sent > lastCanary + 250 && s.status === 200);
    expect(later.length).toBeGreaterThan(10);
    expect(later.every((s) => versionOf(s) === 'v0.2.0')).toBe(true);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
    expect(canaries.filter((c) => c.version === 'v0.3.0').at(-1)).toMatchObject({ outcome: 'aborted', decidedBy: 'carol' });
    expect(g.store.audit.list(g.project, 10).find((a) => a.action === 'canary-aborted')).toMatchObject({ actor: 'carol' });
    // nothing runs the canary any more: a second word is refused
    expect(() => g.engine.canaryDecision({ project: g.project, decision: 'promote', requestedBy: 'carol' })).toThrow(/no canary/);
  });

  it('aborted by its checks: a canary that turns unhealthy is switched back without an operator', async () => {
    await g.origin.commitVariant('fails-later', 'feat: connection pool');
    await g.origin.push('master');
    const { build, load } = await releaseUnderLoad();
    expect(build.status, build.reason).toBe('failed');
    expect(build.reason, build.reason).toMatch(
      // whichever catches it first: its health path, or the proxy's 5xx counts of real requests
      /canary aborted \((app billing answered 503 .*three times in a row|its 5xx rate is [\d.]+% \(\d+ of \d+\) against [\d.]+% for the live release)\); switched back to the warm v0\.2\.0/,
    );
    noFailures(load);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
    expect(canaries.at(-1)).toMatchObject({ outcome: 'aborted', decidedBy: 'greenci' });
  });

  it('greenci release --canary: an operator releases a held build as a canary of their own (weight and time), promoted at its end', async () => {
    await g.engine.rollback({ project: g.project, to: 'v0.1.0', requestedBy: 'ops' });
    await g.origin.revertVariant('fails-later', 'revert: connection pool');
    await g.origin.push('master');
    const held = await g.engine.run({ project: g.project, branch: 'master' });
    expect(held).toMatchObject({ status: 'success', outcome: 'not-released' });

    let load: ReturnType<typeof startLoad> | undefined;
    const un = g.engine.subscribe((e) => {
      if (e.type === 'stage.updated' && e.stage.name === 'promote' && e.stage.status === 'running') load ??= startLoad(url());
    });
    const r = await g.engine.release({ project: g.project, requestedBy: 'ops', canary: { weight: 30, forMs: 3000 } }).finally(un);
    expect(
      r.build.status,
      `${r.build.reason}\n${g.engine
        .logs(r.build.id)
        .map((l) => l.line)
        .join('\n')}`,
    ).toBe('success');
    const ran = canaries.filter((c) => c.buildId === r.build.id);
    expect(ran[0]).toMatchObject({ weight: 30, live: 'v0.1.0' });
    expect(ran.at(-1)).toMatchObject({ outcome: 'promoted', decidedBy: 'greenci' });
    expect(ran.at(-1)!.until - ran.at(-1)!.since).toBe(3000);
    expect(g.engine.releases(g.project).live?.version).toBe(r.release?.version);
    const after = Date.now();
    await load!.waitFor((x) => x.sent > after + 500);
    noFailures(await load!.stop());
  });
});
