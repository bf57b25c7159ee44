import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { envContainers, getJson } from '../helpers/docker-env.js';
import { deliver, payload, post, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';
import { ControlClient } from '../../src/control-client.js';
import { NotFoundError, UsageError } from '../../engine/errors.js';

/** The daemon taking GitHub deliveries over HTTP, and every command through its control socket. */
describe('greenci daemon: webhook intake and the control socket', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  let master: string;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    greenciDone([...args, '--config', g.configFile], { ...g.env, USER: 'olivia', ...env });
  const builds = () => store.builds.list({ project: g.project, limit: 100 });
  const waitBuild = async (id: number, statuses = ['success', 'failed', 'cancelled'], timeoutMs = 150_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const b = store.builds.get(id);
      if (b && statuses.includes(b.status)) return b;
      if (Date.now() > until) throw new Error(`build #${id} is ${b?.status}, waited for ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    g = await setupGreen({
      healthTimeout: '10s',
      noEngine: true,
      extra: 'reconcile:\n  schedule: "0 0 1 1 *"\nmetrics:\n  listen: 127.0.0.1:0',
    });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
    master = (await g.origin.tagTarget('master').catch(() => '')) || '';
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('a signed ping answers 200 and is recorded; unsigned, forged, tampered, malformed and oversized deliveries are refused and queue nothing', async () => {
    const ping = payload('octokit-webhooks/ping/payload.json');
    ping.repository.full_name = g.github;
    const ok = await deliver(d.webhookUrl, ping, { event: 'ping', secret: g.secret });
    expect(ok.status).toBe(200);
    expect(store.deliveries.get(ok.id)).toMatchObject({ event: 'ping', outcome: 'ping', project: g.project, verified: 'raw' });

    const push = pushPayload({ repo: g.github, branch: 'feature-x', after: 'a'.repeat(40) });
    const unsigned = await deliver(d.webhookUrl, push, { secret: null });
    const forged = await deliver(d.webhookUrl, push, { secret: 'not-the-secret' });
    const tampered = await deliver(
      d.webhookUrl,
      { ...push, ref: 'refs/heads/master' },
      { secret: g.secret, signBody: JSON.stringify(push) },
    );
    const malformed = await deliver(d.webhookUrl, '{"ref": "refs/heads/x",', { secret: g.secret });
    const unknownRepo = await deliver(d.webhookUrl, pushPayload({ repo: 'someone/else', branch: 'x', after: 'b'.repeat(40) }), {
      secret: g.secret,
    });
    const big = await post(d.webhookUrl, Buffer.alloc(26 * 1024 * 1024, 0x20), {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': 'big-1',
    });
    expect([unsigned.status, forged.status, tampered.status, malformed.status, unknownRepo.status, big.status]).toEqual([
      401, 401, 401, 400, 404, 413,
    ]);
    expect(unsigned.body.message).toMatch(/X-Hub-Signature-256 is required/);
    expect(forged.body.message).toMatch(/signature does not match/);
    expect(store.deliveries.get(unknownRepo.id)).toMatchObject({ outcome: 'unknown-repository', repository: 'someone/else' });
    for (const r of [unsigned, forged, tampered, malformed]) expect(store.deliveries.get(r.id)).toBeUndefined();
    expect(builds()).toEqual([]);
    // the daemon logged each refusal and is still answering
    await d.waitForLog((e) => e.status === 413 || /413/.test(e.msg));
    expect(d.logs.filter((e) => e.status === 401).length).toBeGreaterThanOrEqual(3);
  });

  it('a signed push is stored before the answer and queues one build; the redelivery queues nothing; the build runs with the pusher and head commit kept', async () => {
    const sha = await g.origin.commitAll('feat: webhook-driven build');
    await g.origin.checkoutNewBranch('feature-hook');
    await g.origin.push('feature-hook');
    await g.origin.checkout('master');
    // GitHub's form encoding: payload=<json>
    const body = `payload=${encodeURIComponent(JSON.stringify(pushPayload({ repo: g.github, branch: 'feature-hook', after: sha, message: 'feat: webhook-driven build' })))}`;
    const first = await deliver(d.webhookUrl, body, { secret: g.secret, contentType: 'application/x-www-form-urlencoded' });
    expect(first.status).toBe(202);
    // stored before the answer: the delivery row exists the moment the 202 arrived
    const delivery = store.deliveries.get(first.id)!;
    expect(delivery).toMatchObject({ outcome: 'queued', ref: 'feature-hook', after: sha, buildId: first.body.build });
    const again = await deliver(d.webhookUrl, body, { id: first.id, secret: g.secret, contentType: 'application/x-www-form-urlencoded' });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(builds().filter((b) => b.deliveryId === first.id)).toHaveLength(1);

    const build = await waitBuild(first.body.build);
    expect(build).toMatchObject({ status: 'success', branch: 'feature-hook', sha, trigger: 'push', requestedBy: 'Codertocat' });
    expect(build.push).toEqual({
      pusherName: 'Codertocat',
      pusherEmail: '21031067+Codertocat@users.noreply.github.com',
      headMessage: 'feat: webhook-driven build',
      headAuthor: 'Codertocat',
      headAuthorEmail: '21031067+Codertocat@users.noreply.github.com',
      headUrl: payload('drone-go-scm/push.json').head_commit.url,
    });
    expect(Object.keys(await envContainers(g.project, 'test')).length).toBeGreaterThan(0);
  });

  it('tag pushes and [skip ci] commits are recorded and not built; deleting the branch tears down the test environment that shows it', async () => {
    const before = builds().length;
    const tag = await deliver(
      d.webhookUrl,
      {
        ...payload('drone-go-scm/push_tag.json'),
        repository: { ...payload('drone-go-scm/push_tag.json').repository, full_name: g.github },
      },
      { secret: g.secret },
    );
    const skipSha = await g.origin.commitAll('docs: typo [skip ci]');
    const skip = await deliver(
      d.webhookUrl,
      pushPayload({ repo: g.github, branch: 'feature-hook', after: skipSha, message: 'docs: typo [skip ci]' }),
      { secret: g.secret },
    );
    const other = await deliver(
      d.webhookUrl,
      { ...payload('octokit-webhooks/create/payload.json'), repository: { full_name: g.github } },
      { event: 'create', secret: g.secret },
    );
    expect([tag.status, skip.status, other.status]).toEqual([200, 200, 200]);
    expect(store.deliveries.get(tag.id)?.outcome).toBe('ignored-tag');
    expect(store.deliveries.get(skip.id)).toMatchObject({ outcome: 'skip-ci', detail: '[skip ci]' });
    expect(store.deliveries.get(other.id)).toMatchObject({ event: 'create', outcome: 'ignored-event' });
    expect(builds()).toHaveLength(before);

    const del = await deliver(d.webhookUrl, pushPayload({ repo: g.github, branch: 'feature-hook', after: '', deleted: true }), {
      secret: g.secret,
    });
    expect(del.status).toBe(200);
    expect(store.deliveries.get(del.id)?.outcome).toBe('branch-deleted');
    await d.waitForLog((e) => e.kind === 'teardown' && e.status === 'success', 30_000);
    expect(Object.keys(await envContainers(g.project, 'test'))).toEqual([]);
    expect(builds()).toHaveLength(before);
  });

  it('every command goes through the control socket (mode 0660), and who asked lands in the audit table', async () => {
    expect(statSync(g.config.control.socket!).mode & 0o777).toBe(0o660);
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ mode: 'daemon', daemon: { pid: d.pid } });
    expect((await cli(['status'])).stdout).toMatch(new RegExp(`daemon: pid ${d.pid}`));

    // trigger: queued by the daemon, which runs it to a first release
    const trig = await cli(['trigger', g.project, '--branch', 'master', '--json']);
    expect(trig.code).toBe(0);
    const queued = JSON.parse(trig.stdout);
    expect(['queued', 'running']).toContain(queued.status);
    expect(queued).toMatchObject({ branch: 'master', trigger: 'manual', requestedBy: 'olivia' });
    const followed = await cli(['logs', String(queued.id), '-f']);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/== deploy-production/);
    expect(followed.stdout).toMatch(new RegExp(`✔ build #${queued.id} succeeded in .*: production runs v0.1.0`));

    const list = JSON.parse((await cli(['builds', g.project, '--json'])).stdout);
    expect(list[0]).toMatchObject({ id: queued.id, status: 'success', version: 'v0.1.0' });

    // cancel a queued build (the daemon's queue is idle, so hold it with a running build first)
    const v2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    const running = JSON.parse((await cli(['trigger', g.project, '--branch', 'master', '--sha', v2, '--json'])).stdout);
    const second = JSON.parse((await cli(['trigger', g.project, '--branch', 'feature-later', '--sha', v2, '--json'])).stdout);
    const cancel = await cli(['cancel', String(second.id)]);
    expect(cancel.stdout).toContain(`build #${second.id} cancelled`);
    expect(store.builds.get(second.id)).toMatchObject({ status: 'cancelled', reason: 'cancelled by olivia' });
    expect((await waitBuild(running.id)).status).toBe('success');

    // retry queues the same commit again
    const retry = JSON.parse((await cli(['retry', String(second.id), '--json'])).stdout);
    expect(retry).toMatchObject({ retryOf: second.id, requestedSha: v2, trigger: 'retry' });
    await waitBuild(retry.id);

    // releases and a rollback through the daemon: production serves v0.1.0 again
    const rel = await cli(['releases', g.project]);
    expect(rel.stdout).toMatch(/\*\s+v0\.2\.0/);
    const rb = await cli(['rollback', g.project, '--to', 'v0.1.0'], { SUDO_USER: 'rita' });
    expect(rb.code).toBe(0);
    expect(rb.stderr).toContain('through the daemon');
    expect(rb.stdout).toContain('production runs v0.1.0');
    expect((await getJson(`http://127.0.0.1:${g.ports.weight}/health`)).body).toMatchObject({ version: 'v0.1.0', apiVersion: 1 });
    const audit = store.audit.list(g.project);
    expect(audit.find((a) => a.action === 'rollback')).toMatchObject({ actor: 'rita', target: 'v0.1.0', outcome: 'success' });
    expect(audit.find((a) => a.action === 'cancel')).toMatchObject({ actor: 'olivia', target: `#${second.id}`, outcome: 'cancelled' });
    expect(audit.find((a) => a.action === 'trigger')).toMatchObject({ actor: 'olivia' });
    expect(audit.find((a) => a.action === 'retry')).toMatchObject({ actor: 'olivia', target: `#${second.id}` });

    // errors cross the socket as the same exit codes
    const missing = await cli(['logs', '99999']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no build #99999');
    void master;
  });

  it('the event stream: a snapshot first, then every change as it happens; a malformed request gets a clear error', async () => {
    const client = new ControlClient(g.config.control.socket!);
    const seen: Record<string, any>[] = [];
    const stop = new AbortController();
    const streaming = client.stream('GET', '/events', undefined, (o) => seen.push(o), stop.signal);
    await waitUntil(() => seen.length > 0, 'the first event');
    expect(seen[0]).toMatchObject({ type: 'snapshot', snapshot: { live: { [g.project]: { version: 'v0.1.0' } } } });
    const queued = await client.request<{ id: number }>('POST', '/builds', {
      project: g.project,
      branch: 'master',
      requestedBy: 'events-test',
    });
    await waitUntil(
      () => seen.some((e) => e.type === 'build.updated' && e.build.id === queued.id && e.build.status === 'success'),
      'the build to succeed on the stream',
    );
    expect(
      seen.some((e) => e.type === 'stage.updated' && e.buildId === queued.id && e.stage.name === 'test' && e.stage.status === 'success'),
    ).toBe(true);
    expect(seen.some((e) => e.type === 'log' && e.line.buildId === queued.id)).toBe(true);
    stop.abort();
    await streaming;

    await expect(client.request('POST', '/builds', { project: g.project })).rejects.toThrow('branch is required');
    await expect(client.request('POST', '/builds', { project: 'nope', branch: 'master' })).rejects.toThrow(/no project "nope"/);
    await expect(client.request('GET', '/nowhere')).rejects.toThrow(/no such endpoint/);
  });

  it('Prometheus metrics on loopback: deliveries by outcome, queue depth, build and stage durations, deployments and rollbacks, environment health', async () => {
    const address = d.logs.find((e) => typeof e.metrics === 'string')!.metrics as string;
    const res = await getJson(`http://${address}/metrics`);
    expect(res.status).toBe(200);
    const text = res.body as string;
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    expect(value(/^greenci_webhook_deliveries_total\{outcome="queued",via="direct"\} (\d+)$/m)).toBe(1);
    expect(value(/^greenci_webhook_deliveries_total\{outcome="duplicate",via="direct"\} (\d+)$/m)).toBe(1);
    expect(value(/^greenci_webhook_deliveries_total\{outcome="rejected-401",via="direct"\} (\d+)$/m)).toBe(3);
    expect(value(/^greenci_webhook_deliveries_total\{outcome="rejected-413",via="direct"\} (\d+)$/m)).toBe(1);
    expect(value(new RegExp(`^greenci_queue_depth\\{project="${g.project}"\\} (\\d+)$`, 'm'))).toBe(0);
    expect(
      value(new RegExp(`^greenci_build_duration_seconds_count\\{project="${g.project}",status="success"\\} (\\d+)$`, 'm')),
    ).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/^greenci_stage_duration_seconds_count\{stage="deploy-production",status="success"\} \d+$/m);
    expect(value(new RegExp(`^greenci_rollbacks_total\\{project="${g.project}",kind="rollback",status="success"\\} (\\d+)$`, 'm'))).toBe(1);
    expect(value(new RegExp(`^greenci_environment_healthy\\{project="${g.project}",env="production"\\} (\\d+)$`, 'm'))).toBe(1);
  });

  it('the control API says 404 for what does not exist and 400 for what cannot be done, by error class, not by reading the message', async () => {
    const client = new ControlClient(g.config.control.socket!);
    const missing = await client.request('GET', '/builds/999999').catch((e: Error) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('no build #999999');
    const noProject = await client.request('GET', '/projects/nope/releases').catch((e: Error) => e);
    expect(noProject).toBeInstanceOf(NotFoundError);
    // a refusal that is not about a missing thing stays a plain usage error (400)
    const bad = await client
      .request('POST', '/builds', { project: g.project, branch: 'a b', requestedBy: 'olivia' })
      .catch((e: Error) => e);
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad).not.toBeInstanceOf(NotFoundError);
    // and the CLI reports it the same way as before
    const logs = await cli(['logs', '999999']);
    expect(logs.stderr).toMatch(/no build #999999/);
    expect(logs.code).not.toBe(0);
  });

  // last: its refusals would change the metrics counted above
  it('hostile input costs the daemon next to nothing: a forged 25 MB body, deep JSON, huge repository names, a bidi branch', async () => {
    const buildsBefore = builds().length;
    // Given a 25 MB body naming the watched repository, with a forged signature (made before the clock starts)
    const head = JSON.stringify({ ref: 'refs/heads/x', repository: { full_name: g.github }, padding: '' }).slice(0, -2);
    const huge = Buffer.from(`${head}${'a'.repeat(25 * 1024 * 1024 - head.length - 200)}"}`);
    const forgedId = `forged-${Date.now()}`;
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': forgedId,
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    };
    // and an operator's command asking the daemon's control socket over and over
    const client = new ControlClient(g.config.control.socket!);
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const latencies: number[] = [];
    let peakRss = rss();
    let pinging = true;
    const pinger = (async () => {
      while (pinging) {
        const t = performance.now();
        await client.request('GET', '/status');
        latencies.push(performance.now() - t);
        peakRss = Math.max(peakRss, rss());
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    // When the body arrives
    const t0 = performance.now();
    const forged = { ...(await post(d.webhookUrl, huge, headers)), id: forgedId };
    const took = performance.now() - t0;
    await waitUntil(() => latencies.length >= 5, 'control pings answered', 10_000);
    pinging = false;
    await pinger;
    // Then it is refused, stored nowhere, and the daemon kept answering meanwhile
    expect(forged.status).toBe(401);
    expect(forged.body.message).toMatch(/signature does not match/);
    expect(store.deliveries.get(forged.id)).toBeUndefined();
    const worst = Math.max(...latencies);
    console.log(
      `forged 25 MB body: answered in ${took.toFixed(0)} ms; ${latencies.length} control pings meanwhile, worst ${worst.toFixed(1)} ms; daemon RSS peak ${peakRss.toFixed(0)} MB`,
    );
    expect(worst).toBeLessThan(1000); // it was 33 s when the body was re-encoded 32 times before any check
    expect(peakRss).toBeLessThan(300);

    // A 100k-deep JSON object naming the repository is a 400, not a crash
    const deep = `{"repository":{"full_name":${JSON.stringify(g.github)}},"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const deepSigned = await deliver(d.webhookUrl, deep, { secret: g.secret });
    const deepForged = await deliver(d.webhookUrl, deep, { secret: 'not-the-secret' });
    expect([deepSigned.status, deepForged.status]).toEqual([400, 400]);
    expect(deepSigned.body.message).toMatch(/nested deeper than/);

    // Unsigned deliveries naming a repository nobody watches: a bounded row at most, never echoed
    const longName = `someone/${'x'.repeat(500_000)}`;
    const hugeName = `someone/${'y'.repeat(5 * 1024 * 1024)}`;
    const long = await deliver(d.webhookUrl, pushPayload({ repo: longName, branch: 'x', after: 'c'.repeat(40) }), { secret: null });
    const tooLong = await deliver(d.webhookUrl, pushPayload({ repo: hugeName, branch: 'x', after: 'c'.repeat(40) }), { secret: null });
    expect(long.status).toBe(404);
    expect(JSON.stringify(long.body).length).toBeLessThan(200);
    expect(store.deliveries.get(long.id)!.repository!.length).toBeLessThanOrEqual(300);
    expect(tooLong.status).toBe(401);
    expect(JSON.stringify(tooLong.body).length).toBeLessThan(200);
    expect(store.deliveries.get(tooLong.id)).toBeUndefined();

    // A signed push of a branch whose name carries a right-to-left override is refused
    const bidi = await deliver(d.webhookUrl, pushPayload({ repo: g.github, branch: 'feature-\u202Egnp.exe', after: 'd'.repeat(40) }), {
      secret: g.secret,
    });
    expect(bidi.status).toBe(422);
    expect(bidi.body.message).toMatch(/bidirectional control/);
    expect(builds().length).toBe(buildsBefore);
  });
});
