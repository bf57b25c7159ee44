import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { type GithubStandIn, startGithubStandIn } from '../helpers/github-api-stand-in.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

const TOKEN_ENV = 'GREENCI_TEST_GITHUB_TOKEN';
const TOKEN = 'ghp_daemonTestToken0123456789abcdef';

/**
 * The daemon reporting to GitHub (a stand-in on 127.0.0.1) across a kill -9: what it stored and
 * could not send goes out after the restart, each call exactly once; the build pages statuses link to.
 */
describe('greenci daemon: GitHub reporting survives kill -9', () => {
  let g: GreenSetup;
  let gh: GithubStandIn;
  let d: DaemonRun | undefined;
  let store: Store;
  const shas: string[] = [];
  const ids: number[] = [];

  beforeAll(async () => {
    gh = await startGithubStandIn({ token: TOKEN });
    g = await setupGreen({
      healthTimeout: '10s',
      noEngine: true,
      extra: 'reconcile:\n  schedule: "0 0 1 1 *"',
      projectExtra: [
        '    githubApi:',
        `      tokenEnv: ${TOKEN_ENV}`,
        `      baseUrl: ${gh.url}`,
        '      publicUrl: https://ci.example.com',
      ].join('\n'),
    });
    store = openStore(g.dataDir);
  }, 180_000);
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
    await gh?.close();
  });

  it('statuses GitHub did not take before a kill -9 are sent after the restart, each exactly once', async () => {
    // GitHub is down: every status is answered 503
    gh.failNext({ status: 503, body: { message: 'Service Unavailable' } }, { times: 1_000_000, path: /statuses/ });
    d = await startDaemon(g.configFile, { ...g.env, [TOKEN_ENV]: TOKEN });
    // two branches whose greenci.yml is broken: each build fails at config, quickly
    await g.origin.commitVariant('broken-config', 'chore: config typo');
    for (const branch of ['feature-a', 'feature-b']) {
      await g.origin.checkoutNewBranch(branch);
      shas.push(await g.origin.commitAll(`feat: ${branch}`));
      await g.origin.push(branch);
      const r = await deliver(d.webhookUrl, pushPayload({ repo: g.github, branch, after: shas.at(-1)! }), { secret: g.secret });
      expect(r.status).toBe(202);
      ids.push(r.body.build);
    }
    // both builds ended and their final statuses were tried (and refused with 503)
    await waitUntil(
      () =>
        ids.every((id) => store.builds.get(id)?.status === 'failed') &&
        shas.every((sha) =>
          store.github.list(50).some((c) => c.body.sha === sha && c.body.state === 'failure' && c.status === 'pending' && c.attempts > 0),
        ),
      'both final statuses tried and waiting',
      60_000,
    );
    expect(gh.accepted()).toEqual([]);
    expect(d.child.kill('SIGKILL')).toBe(true);
    await d.exited;

    gh.clearFailures();
    d = await startDaemon(g.configFile, { ...g.env, [TOKEN_ENV]: TOKEN });
    await waitUntil(() => store.github.reporting().pending === 0, 'the outbox sent', 60_000);
    for (const [i, sha] of shas.entries()) {
      const taken = gh.accepted().filter((c) => c.path === `/repos/${g.github}/statuses/${sha}`);
      // the newest status only (the pending ones it replaced were never sent), once
      expect(taken.map((c) => [c.body.state, c.body.context])).toEqual([['failure', 'greenci/push']]);
      expect(taken[0].body.description).toMatch(/^failed at config: /);
      expect(taken[0].body.target_url).toBe(`https://ci.example.com/builds/${ids[i]}`);
    }
    await d.waitForLog((e) => typeof e.msg === 'string' && e.msg.startsWith('GitHub: greenci/push failure'));
  });

  it('the page a status links to answers on the webhook listener: the build, its result and stages, no log', async () => {
    const base = d!.webhookUrl.replace(/\/webhook$/, '');
    const res = await fetch(`${base}/builds/${ids[0]}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toContain(`greenci build #${ids[0]}: ${g.project} feature-a`);
    expect(text).toMatch(/^status {3}failed$/m);
    expect(text).toMatch(/^ {2}config +failed /m);
    expect((await fetch(`${base}/builds/999999`)).status).toBe(404);
    expect((await fetch(`${base}/builds/../greenci.db`)).status).toBe(404);
  });
});
