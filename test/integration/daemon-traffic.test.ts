import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../engine/errors.js';
import type { Snapshot } from '../../engine/state.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { ControlClient } from '../../src/control-client.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { getJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Production's traffic through the front proxy, seen and steered from every face of a real daemon:
 * `greenci status` names the release taking each app's requests (and a canary's share and 5xx
 * counts), /metrics has the proxy's counts per release and the canary's weight, `greenci canary`
 * promotes a running canary, and `greenci rollback` says when it was a switch.
 */
describe('greenci daemon: where production traffic goes, in status, metrics and greenci canary', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  let control: ControlClient;
  const cli = (args: string[]) => greenciDone([...args, '--config', g.configFile], { ...g.env, USER: 'olivia', SUDO_USER: '' });
  const prod = (app: 'billing' | 'weight') => `http://127.0.0.1:${g.ports[app]}/health`;
  const answer = async (url: string) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.text();
    return res.status;
  };
  const metrics = async () => {
    const res = await getJson(`http://${d.logs.find((e) => typeof e.metrics === 'string')!.metrics}/metrics`);
    expect(res.status).toBe(200);
    return res.body as string;
  };
  const sample = (text: string, name: string, labels: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  /** Queues a master build through the daemon (`greenci trigger`) and waits for it to end. */
  const releaseMaster = async (during?: () => Promise<void>) => {
    const queued = await cli(['trigger', g.project, '--branch', 'master', '--json']);
    expect(queued.code, queued.stderr).toBe(0);
    const id = (JSON.parse(queued.stdout) as { id: number }).id;
    await during?.();
    return waitUntil(() => {
      const b = store.builds.get(id);
      return b && ['success', 'failed', 'cancelled'].includes(b.status) && b;
    }, `build #${id} to end`);
  };
  const setCanary = async (weight: number, forWhat: string) => {
    const file = path.join(g.origin.work, 'greenci.yml');
    const text = readFileSync(file, 'utf8').replace(
      /^ {4}release:\n(?: {6}.*\n)+/m,
      `    release:\n      verify: 3s\n      keep_warm: 10m\n      canary: { weight: ${weight}, for: ${forWhat} }\n`,
    );
    writeFileSync(file, text);
    await g.origin.commitAll('feat: releases as a canary');
    await g.origin.push('master');
  };

  beforeAll(async () => {
    g = await setupGreen({
      healthTimeout: '10s',
      noEngine: true,
      extra: 'reconcile:\n  schedule: "0 0 1 1 *"\nmetrics:\n  listen: 127.0.0.1:0',
    });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
    control = new ControlClient(g.config.control.socket!);
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('after a release, greenci status names the release taking each app and /metrics has the proxy’s counts per app and release', async () => {
    // Given v0.1.0 released through the daemon, and requests through the front proxy
    await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    const first = await releaseMaster();
    expect(first, first.reason).toMatchObject({ status: 'success', version: 'v0.1.0' });
    for (let i = 0; i < 5; i++) for (const app of ['billing', 'weight'] as const) expect(await answer(prod(app))).toBe(200);

    // When greenci status asks the daemon
    const status = await cli(['status']);
    // Then it says which release takes each app's requests, on which port
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.split('\n')).toContain(
      `traffic ${g.project}: billing :${g.ports.billing} → v0.1.0; weight :${g.ports.weight} → v0.1.0`,
    );
    const json = JSON.parse((await cli(['status', '--json'])).stdout) as { traffic: Record<string, { proxy: string }> };
    expect(json.traffic[g.project]).toMatchObject({ project: g.project, proxy: 'running' });

    // And /metrics has the proxy's counts for each app's release
    const text = await metrics();
    expect(sample(text, 'greenci_proxy_requests', `project="${g.project}",app="billing",release="v0.1.0"`)).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'greenci_proxy_requests', `project="${g.project}",app="weight",release="v0.1.0"`)).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'greenci_proxy_responses_5xx', `project="${g.project}",app="billing",release="v0.1.0"`)).toBe(0);
    expect(sample(text, 'greenci_proxy_up', `project="${g.project}"`)).toBe(1);
    expect(text).not.toMatch(/^greenci_canary_weight\{/m);

    // And the control API answers the same, and says 404 for a project it does not know
    expect(await control.request('GET', `/projects/${g.project}/traffic`)).toMatchObject({
      proxy: 'running',
      // in the proxy's order (apps in start order)
      apps: expect.arrayContaining([
        expect.objectContaining({ app: 'billing', shares: [{ release: 'v0.1.0', weight: 100 }] }),
        expect.objectContaining({ app: 'weight', shares: [{ release: 'v0.1.0', weight: 100 }] }),
      ]),
    });
    await expect(control.request('GET', '/projects/nope/traffic')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a canary: status shows both shares and its 5xx counts, /metrics its weight; greenci canary promote ends it early', async () => {
    // Given v0.2.0 released as a 20 % canary for two minutes
    await setCanary(20, '2m');
    let canarySeen: Snapshot['canaries'][string] | undefined;
    let statusDuring = '';
    let metricsDuring = '';
    const promote = { code: -1 as number | null, stdout: '', stderr: '' };
    const build = await releaseMaster(async () => {
      canarySeen = await waitUntil(
        async () => (await control.request<{ snapshot: Snapshot }>('GET', '/status')).snapshot.canaries[g.project],
        'the canary to begin',
        150_000,
        200,
      );
      for (let i = 0; i < 10; i++) await answer(prod('billing'));
      // When an operator looks, then promotes it
      statusDuring = (await cli(['status'])).stdout;
      metricsDuring = await metrics();
      Object.assign(promote, await cli(['canary', g.project, 'promote']));
    });

    expect(build, build.reason).toMatchObject({ status: 'success', version: 'v0.2.0' });
    // Then status showed each app's two releases, and the canary's end time and 5xx counts
    expect(canarySeen).toMatchObject({ version: 'v0.2.0', live: 'v0.1.0', weight: 20 });
    expect(statusDuring).toMatch(
      new RegExp(
        `^traffic ${g.project}: billing :${g.ports.billing} → v0\\.1\\.0 80% \\+ v0\\.2\\.0 20%; weight :${g.ports.weight} → v0\\.1\\.0 80% \\+ v0\\.2\\.0 20% \\(canary until \\d\\d:\\d\\d:\\d\\d, canary 5xx 0/\\d+, live 0/\\d+\\)$`,
        'm',
      ),
    );
    expect(sample(metricsDuring, 'greenci_canary_weight', `project="${g.project}",release="v0.2.0"`)).toBe(20);
    // And the promote was heard, ended the canary well before its two minutes, and is recorded under olivia
    expect(promote.code, promote.stderr).toBe(0);
    expect(promote.stdout.trim()).toBe(`✔ production ${g.project}: canary v0.2.0 promoted by olivia; it takes every request now`);
    expect(build.finishedAt! - canarySeen!.since).toBeLessThan(100_000);
    expect(store.audit.list(g.project, 20).find((a) => a.action === 'canary-promote')).toMatchObject({ actor: 'olivia', target: 'v0.2.0' });

    // Then every request goes to v0.2.0, and the canary's weight is gone from /metrics
    const after = await cli(['status']);
    expect(after.stdout.split('\n')).toContain(
      `traffic ${g.project}: billing :${g.ports.billing} → v0.2.0; weight :${g.ports.weight} → v0.2.0`,
    );
    expect(await metrics()).not.toMatch(/^greenci_canary_weight\{/m);

    // And with no canary running, a decision is refused as naming nothing (exit 2), through the CLI and the API
    const none = await cli(['canary', g.project, 'abort']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(new RegExp(`no canary of ${g.project} is running`));
    await expect(control.request('POST', `/projects/${g.project}/canary`, { decision: 'abort' })).rejects.toBeInstanceOf(NotFoundError);
    const bad = await control.request('POST', `/projects/${g.project}/canary`, { decision: 'later' }).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad).not.toBeInstanceOf(NotFoundError);
    expect((bad as Error).message).toBe('decision must be "promote" or "abort", not "later"');
    const usage = await cli(['canary', g.project, 'later']);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('usage: greenci canary <project> promote|abort')]);
  });

  it('greenci rollback to the warm release says it was a switch, and status then shows it taking the requests', async () => {
    const r = await cli(['rollback', g.project]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✔ production runs v0\.1\.0 \([0-9a-f]{12}\), rolled back from v0\.2\.0 \(a switch: its apps were warm\)$/m);
    const status = await cli(['status']);
    expect(status.stdout.split('\n')).toContain(
      `traffic ${g.project}: billing :${g.ports.billing} → v0.1.0; weight :${g.ports.weight} → v0.1.0`,
    );
  });
});
