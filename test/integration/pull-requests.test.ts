import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubService } from '../../engine/github/github-service.js';
import { Intake } from '../../engine/intake/intake.js';
import { startWebhookServer, type WebhookServer } from '../../engine/intake/webhook-server.js';
import type { BuildRecord } from '../../engine/model.js';
import { type GithubStandIn, startGithubStandIn } from '../helpers/github-api-stand-in.js';
import { deliver, pullRequestPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

const TOKEN_ENV = 'GREENCI_TEST_GITHUB_TOKEN';
const TOKEN = 'ghp_pullRequestTestToken0123456789';

/**
 * Pull requests through the real webhook endpoint (signed recorded payloads) into a real engine
 * building the sample on Docker, with a GitHub API stand-in taking the statuses under greenci/pr.
 */
describe('pull requests: built, joined, superseded, refused, closed', () => {
  let g: GreenSetup;
  let gh: GithubStandIn;
  let github: GithubService;
  let hook: WebhookServer;
  let url = '';
  const pr = (o: Omit<Parameters<typeof pullRequestPayload>[0], 'repo'>, id?: string) =>
    deliver(url, pullRequestPayload({ ...o, repo: g.github }), { event: 'pull_request', secret: g.secret, id });
  const finished = (id: number) =>
    waitUntil(() => ['success', 'failed', 'cancelled'].includes(g.engine.build(id)?.status ?? ''), `build #${id} ended`, 150_000);
  /** The statuses GitHub took for a commit under one context, oldest first. */
  const statuses = async (sha: string, context: string) => {
    await github.flush();
    return gh
      .accepted()
      .filter((c) => c.path === `/repos/${g.github}/statuses/${sha}` && c.body.context === context)
      .map((c) => [c.body.state as string, c.body.description as string]);
  };
  const builds = () => g.store.builds.list({ project: g.project, limit: 100 });

  beforeAll(async () => {
    gh = await startGithubStandIn({ token: TOKEN });
    g = await setupGreen({
      healthTimeout: '10s',
      projectExtra: ['    githubApi:', `      tokenEnv: ${TOKEN_ENV}`, `      baseUrl: ${gh.url}`].join('\n'),
    });
    github = g.engine.startGithub({ env: { ...process.env, [TOKEN_ENV]: TOKEN } });
    hook = await startWebhookServer(new Intake(g.engine, g.env), { listen: '127.0.0.1:0', path: '/webhook' });
    url = `http://${hook.address}/webhook`;
    g.engine.startQueue();
  }, 180_000);
  afterAll(async () => {
    await hook?.close();
    await g?.engine.drain(0);
    await github?.stop();
    await g?.cleanup();
    await gh?.close();
  });

  it('opened on a commit its branch already built: joins that build (no second one) and reports it under greenci/pr; a redelivery does nothing', async () => {
    await g.origin.checkoutNewBranch('feature-pr');
    const sha = await g.origin.commitAll('feat: pull request one');
    await g.origin.push('feature-pr');
    const pushed = await g.engine.run({ project: g.project, branch: 'feature-pr', requestedBy: 'dev' });
    expect(pushed.status, pushed.reason).toBe('success');

    const r = await pr({ action: 'opened', number: 7, headSha: sha, headRef: 'feature-pr' }, 'pr-delivery-1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: `pull request #7: its head is build #${pushed.id}`, build: pushed.id });
    expect(builds()).toHaveLength(1);
    expect(g.store.deliveries.get('pr-delivery-1')).toMatchObject({ event: 'pull_request', outcome: 'pr-joined', buildId: pushed.id });
    expect(await statuses(sha, 'greenci/pr')).toEqual([['success', `build #${pushed.id} passed`]]);

    const again = await pr({ action: 'opened', number: 7, headSha: sha, headRef: 'feature-pr' }, 'pr-delivery-1');
    expect(again.body).toMatchObject({ duplicate: true });
    expect(builds()).toHaveLength(1);
  });

  it('synchronize: the new head is built; a newer head supersedes it (error under greenci/pr) and reports its own result', async () => {
    const second = await g.origin.commitAll('feat: pull request two');
    await g.origin.push('feature-pr');
    const r2 = await pr({ action: 'synchronize', number: 7, headSha: second, headRef: 'feature-pr' });
    expect(r2.status).toBe(202);
    const b2: number = r2.body.build;
    expect(g.engine.build(b2)).toMatchObject({ trigger: 'pull_request', branch: 'feature-pr', requestedSha: second });
    await waitUntil(
      () => g.engine.build(b2)?.stages.some((s) => s.name === 'build' && s.status === 'running'),
      'build #2 building',
      60_000,
    );

    const third = await g.origin.commitAll('feat: pull request three');
    await g.origin.push('feature-pr');
    const r3 = await pr({ action: 'synchronize', number: 7, headSha: third, headRef: 'feature-pr' });
    const b3: number = r3.body.build;
    await finished(b2);
    expect(g.engine.build(b2)).toMatchObject({ status: 'cancelled', outcome: 'superseded' });
    await finished(b3);
    expect(g.engine.build(b3)?.status).toBe('success');

    const old = await statuses(second, 'greenci/pr');
    expect(old.at(-1)?.[0]).toBe('error');
    expect(old.at(-1)?.[1]).toMatch(/superseded/);
    expect((await statuses(third, 'greenci/pr')).at(-1)).toEqual(['success', `build #${b3} passed`]);
    // the branch's own context follows the same builds
    expect((await statuses(third, 'greenci/push')).at(-1)).toEqual(['success', `build #${b3} passed`]);
  });

  it("a fork's pull request is not built, and its status says why and how to allow it", async () => {
    const sha = 'f'.repeat(40);
    const before = builds().length;
    const r = await pr({ action: 'opened', number: 8, headSha: sha, headRef: 'patch-1', fork: true });
    expect(r.status).toBe(200);
    expect(r.body.message).toBe(
      "pull request #8 not built: from a fork, it would run with this project's settings and secrets (to allow: pullRequests.forks: true)",
    );
    expect(builds()).toHaveLength(before);
    expect(g.store.pullRequests.get(g.project, 8)).toMatchObject({ fork: true, state: 'open', headRepo: `someone/${g.project}` });
    const seen = await statuses(sha, 'greenci/pr');
    expect(seen).toHaveLength(1);
    expect(seen[0][0]).toBe('error');
    expect(seen[0][1]).toBe(
      "not built: from a fork, it would run with this project's settings and secrets (to allow: pullRequests.forks: true)",
    );
  });

  it("with forks allowed, a fork's head is built from the base repository's refs/pull/<n>/head", async () => {
    g.engine.setConfig({
      ...g.engine.config,
      projects: {
        ...g.engine.config.projects,
        [g.project]: { ...g.engine.config.projects[g.project], pullRequests: { build: true, forks: true } },
      },
    });
    // the fork's commit is on no branch of origin: GitHub keeps it as refs/pull/9/head
    await g.origin.checkoutNewBranch('fork-work', 'master');
    const sha = await g.origin.commitAll('feat: from a fork');
    execFileSync('git', ['push', '--quiet', 'origin', `${sha}:refs/pull/9/head`], { cwd: g.origin.work });
    const r = await pr({ action: 'opened', number: 9, headSha: sha, headRef: 'patch-2', fork: true });
    expect(r.status).toBe(202);
    const id: number = r.body.build;
    expect(g.engine.build(id)).toMatchObject({ branch: 'pr:9', trigger: 'pull_request' });
    await finished(id);
    const b = g.engine.build(id) as BuildRecord;
    expect(b.status, b.reason).toBe('success');
    expect(b.sha).toBe(sha);
    expect((await statuses(sha, 'greenci/pr')).at(-1)).toEqual(['success', `build #${id} passed`]);
  });

  it('closed: the build queued for the pull request is cancelled (error under greenci/pr); other actions are recorded, not built', async () => {
    await g.origin.checkout('feature-pr');
    const sha = await g.origin.commitAll('feat: pull request four');
    await g.origin.push('feature-pr');
    const r = await pr({ action: 'synchronize', number: 7, headSha: sha, headRef: 'feature-pr' });
    const id: number = r.body.build;
    await waitUntil(() => g.engine.build(id)?.status === 'running', 'the build running', 60_000);

    const closed = await pr({ action: 'closed', number: 7, headSha: sha, headRef: 'feature-pr' });
    expect(closed.body.message).toBe(`pull request #7 closed; build #${id} cancelled`);
    await finished(id);
    expect(g.engine.build(id)?.status).toBe('cancelled');
    expect(g.store.pullRequests.get(g.project, 7)).toMatchObject({ state: 'closed' });
    expect((await statuses(sha, 'greenci/pr')).at(-1)?.[0]).toBe('error');

    const before = builds().length;
    // a head branch whose name carries a right-to-left override: refused, nothing built
    const hostile = await pr({ action: 'opened', number: 10, headSha: sha, headRef: 'feature-\u202egnp.exe' });
    expect(hostile.status).toBe(422);
    expect(hostile.body.message).toMatch(/bidirectional control character/);
    const labeled = await pr({ action: 'labeled', number: 7, headSha: sha, headRef: 'feature-pr' });
    expect(labeled.status).toBe(200);
    expect(labeled.body.message).toBe('pull_request labeled is recorded, not built');
    expect(builds()).toHaveLength(before);
  });
});
