import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '@octokit/webhooks-methods';
import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { FakeSmee } from '../helpers/fake-smee.js';
import { post, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

/** GitHub → smee.io → greenci, with a local stand-in for smee.io; and the pushes smee loses, found again by reconciliation. */
describe('greenci daemon: smee relay and reconciliation', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let smee: FakeSmee;
  let store: Store;
  const RARE = 'reconcile:\n  schedule: "0 0 1 1 *"';
  const status = async () => JSON.parse((await greenciDone(['status', '--json', '--config', g.configFile], g.env)).stdout);
  const waitBuild = async (match: () => { id: number; status: string } | undefined, statuses: string[], timeoutMs = 150_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const b = match();
      if (b && statuses.includes(b.status)) return b;
      if (Date.now() > until) throw new Error(`waited for a build to be ${statuses.join('/')}: ${JSON.stringify(b)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** What GitHub does: sign the body it sends. Here the body is pretty-printed, as some senders do. */
  const sendThroughSmee = async (body: Record<string, unknown>) => {
    const raw = JSON.stringify(body, null, 2);
    const id = randomUUID();
    const r = await post(smee.url, raw, {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': id,
      'x-hub-signature-256': await sign(g.secret, raw),
    });
    expect(r.status).toBe(200);
    return id;
  };

  beforeAll(async () => {
    smee = await FakeSmee.start();
    g = await setupGreen({ healthTimeout: '10s', noEngine: true, extra: RARE });
    g.writeConfig({ extra: RARE, projectExtra: `    smee: ${smee.url}` });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await smee?.close();
    await g?.cleanup();
  });

  it('a delivery relayed by smee-client triggers a build, though smee re-serialised the pretty-printed body its signature covers', async () => {
    await smee.waitForListeners(1);
    await d.waitForLog((e) => e.smee === 'connected');
    expect((await status()).smee[g.project]).toMatchObject({ state: 'connected', channel: smee.url });

    await g.origin.checkoutNewBranch('feature-smee');
    const sha = await g.origin.commitAll('feat: through smee');
    await g.origin.push('feature-smee');
    const id = await sendThroughSmee(pushPayload({ repo: g.github, branch: 'feature-smee', after: sha, message: 'feat: through smee' }));

    const answered = await d.waitForLog((e) => e.delivery === id && e.status === 202, 30_000);
    expect(answered.via).toBe('smee');
    expect(store.deliveries.get(id)).toMatchObject({ via: 'smee', verified: 'reserialised', outcome: 'queued', after: sha });
    const build = await waitBuild(() => store.builds.list({ project: g.project }).find((b) => b.deliveryId === id), ['success', 'failed']);
    expect(build).toMatchObject({ status: 'success', trigger: 'push (smee)' });
  });

  it('a forged delivery through smee is refused like a direct one', async () => {
    const body = pushPayload({ repo: g.github, branch: 'feature-smee', after: 'c'.repeat(40) });
    const raw = JSON.stringify(body, null, 2);
    const id = randomUUID();
    await post(smee.url, raw, {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': id,
      'x-hub-signature-256': await sign('guessed-secret', raw),
    });
    const answered = await d.waitForLog((e) => e.delivery === id, 30_000);
    expect(answered.status).toBe(401);
    expect(store.deliveries.get(id)).toBeUndefined();
  });

  it('while smee is unreachable the state says so and a push is lost; reconciliation (switched on by SIGHUP) finds it; smee reconnects by itself', async () => {
    smee.refuse(true);
    smee.dropClients();
    await d.waitForLog((e) => e.smee === 'disconnected');
    expect((await status()).smee[g.project].state).toBe('disconnected');

    const missed = await g.origin.commitAll('fix: pushed while nobody listened');
    await g.origin.push('feature-smee');
    await sendThroughSmee(pushPayload({ repo: g.github, branch: 'feature-smee', after: missed })); // nobody listens: lost

    // an invalid config is refused on SIGHUP and the old one keeps working
    g.writeConfig({ extra: 'reconcile:\n  schedule: "every now and then"', projectExtra: `    smee: ${smee.url}` });
    d.child.kill('SIGHUP');
    const refused = await d.waitForLog((e) => /config reload failed; keeping the running config/.test(e.msg));
    expect(refused.msg).toContain('reconcile.schedule');

    // a valid one with reconciliation every 2 seconds is taken
    g.writeConfig({ extra: 'reconcile:\n  schedule: "*/2 * * * * *"', projectExtra: `    smee: ${smee.url}` });
    d.child.kill('SIGHUP');
    await d.waitForLog((e) => e.msg === 'config reloaded');
    const found = await d.waitForLog((e) => /reconciliation found a push never delivered/.test(e.msg) && e.sha === missed, 30_000);
    const build = await waitBuild(() => store.builds.get(found.build), ['success', 'failed']);
    expect(build).toMatchObject({ status: 'success', trigger: 'reconcile', requestedSha: missed, branch: 'feature-smee' });
    // once built, the branch is in step: nothing more is queued for it
    const count = store.builds.list({ project: g.project }).length;
    const after = Date.now();
    for (let s = await status(); !(s.daemon.reconciledAt > after); s = await status()) await new Promise((r) => setTimeout(r, 300));
    expect(store.builds.list({ project: g.project }).length).toBe(count);

    smee.refuse(false);
    await smee.waitForListeners(1, 90_000);
    await d.waitForLog((e) => e.smee === 'connected' && e.time > refused.time, 90_000);
    expect((await status()).smee[g.project].state).toBe('connected');
  });
});
