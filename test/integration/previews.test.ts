import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubService } from '../../engine/github/github-service.js';
import { LABEL } from '../../engine/docker/names.js';
import { Intake } from '../../engine/intake/intake.js';
import { startWebhookServer } from '../../engine/intake/webhook-server.js';
import { previewEnvKey } from '../../engine/preview/decide.js';
import { docker, freePort, getJson } from '../helpers/docker-env.js';
import { type GithubStandIn, startGithubStandIn } from '../helpers/github-api-stand-in.js';
import { deliver, pullRequestPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

const TOKEN_ENV = 'GREENCI_TEST_GITHUB_TOKEN';
const TOKEN = 'ghp_greenciTestToken0123456789abcdefABCDEF';

/**
 * Preview environments on a real Docker engine: the sample project (two apps, two MariaDB
 * databases) with `environments.preview` in its greenci.yml, branches pushed to a bare repository,
 * GitHub's API stood in for on 127.0.0.1.
 */
describe('preview environments: one per branch, side by side, evicted past the limit, gone with the branch', () => {
  let g: GreenSetup;
  let gh: GithubStandIn;
  let github: GithubService;
  let range: { from: number; to: number };
  let previewBlock = '';

  const containersOf = async (branch: string) =>
    docker.listContainers([`${LABEL.project}=${g.project}`, `${LABEL.env}=${previewEnvKey(branch)}`]);
  const volumesOf = (branch: string) => docker.listVolumes([`${LABEL.project}=${g.project}`, `${LABEL.env}=${previewEnvKey(branch)}`]);
  const networkOf = (branch: string) => `${g.project}-${previewEnvKey(branch)}`;
  const networkExists = async (name: string) => (await docker.listNetworks([`${LABEL.project}=${g.project}`])).some((n) => n.Name === name);
  const health = async (url: string) => (await getJson(url)).body as { status: string; commit: string; env: string };
  const deploymentsTo = (environment: string) =>
    gh
      .accepted()
      .filter((c) => c.method === 'POST' && c.path === `/repos/${g.github}/deployments` && c.body.environment === environment)
      .map((c) => ({ id: c.response.id as number, body: c.body }));
  const statesOf = (id: number) =>
    gh
      .accepted()
      .filter((c) => c.path === `/repos/${g.github}/deployments/${id}/statuses`)
      .map((c) => [c.body.state as string, c.body.environment_url as string | undefined]);

  /** A branch off master with one more commit, pushed and built; the build must pass. */
  const buildBranch = async (branch: string) => {
    await g.origin.checkoutNewBranch(branch);
    const sha = await g.origin.commitAll(`feat: ${branch}`);
    await g.origin.push(branch);
    const build = await g.engine.run({ project: g.project, branch, requestedBy: 'dev' });
    expect(build.status, build.reason).toBe('success');
    expect(build.sha).toBe(sha);
    return build;
  };

  beforeAll(async () => {
    gh = await startGithubStandIn({ token: TOKEN });
    g = await setupGreen({
      healthTimeout: '30s',
      projectExtra: ['    githubApi:', `      tokenEnv: ${TOKEN_ENV}`, `      baseUrl: ${gh.url}`].join('\n'),
    });
    github = g.engine.startGithub({ env: { ...process.env, [TOKEN_ENV]: TOKEN } });
    // four ports from this worker's own window: two previews of two apps at most
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()].sort((a, b) => a - b);
    range = { from: ports[0], to: ports[3] };
    const file = path.join(g.origin.work, 'greenci.yml');
    const text = readFileSync(file, 'utf8');
    const anchor = '  production:\n';
    expect(text).toContain(anchor);
    previewBlock = `  preview:\n    bind: 127.0.0.1\n    ports: ${range.from}-${range.to}\n    max: 2\n    health_timeout: 60s\n`;
    writeFileSync(file, text.replace(anchor, `${previewBlock}${anchor}`));
    await g.origin.commitAll('ci: preview environments');
    await g.origin.push('master');
  }, 120_000);
  afterAll(async () => {
    await github?.stop();
    await g?.cleanup();
    await gh?.close();
  });

  it('two branches side by side: each healthy on its own ports from the range, on its own network, its URL on GitHub', async () => {
    const a = await buildBranch('feature/a');
    const b = await buildBranch('feature/b');
    for (const build of [a, b]) expect(build.stages.map((s) => [s.name, s.status]).at(-1)).toEqual(['preview', 'success']);

    const pa = g.store.previews.get(g.project, 'feature/a')!;
    const pb = g.store.previews.get(g.project, 'feature/b')!;
    expect(pa).toMatchObject({ state: 'live', buildId: a.id, sha: a.sha });
    expect(pb).toMatchObject({ state: 'live', buildId: b.id, sha: b.sha });
    const all = [...Object.values(pa.ports), ...Object.values(pb.ports)];
    expect(new Set(all).size).toBe(4);
    for (const port of all) expect(port >= range.from && port <= range.to).toBe(true);

    // both answer at once, each with its own commit, saying they are previews
    for (const [p, build] of [
      [pa, a],
      [pb, b],
    ] as const) {
      for (const app of ['billing', 'weight']) {
        expect(p.endpoints![app]).toBe(`http://127.0.0.1:${p.ports[app]}/health`);
        expect(await health(p.endpoints![app])).toMatchObject({ status: 'ok', commit: build.sha, env: 'preview' });
      }
    }
    // what the build's email gives: the addresses its preview answered on
    expect(g.store.releases.previewEndpoints(a.id)).toEqual(pa.endpoints);
    // isolated: each preview's containers are on its own network only, its databases on volumes of their own
    for (const branch of ['feature/a', 'feature/b']) {
      const cs = await containersOf(branch);
      expect(cs.map((c) => c.Labels[LABEL.service]).sort()).toEqual(['billing', 'billing-db', 'weight', 'weight-db']);
      for (const c of cs) {
        expect(c.Labels[LABEL.preview]).toBe(branch);
        expect(Object.keys((await docker.inspectContainer(c.Id))!.NetworkSettings.Networks)).toEqual([networkOf(branch)]);
      }
      expect(await volumesOf(branch)).toEqual([
        `${g.project}-${previewEnvKey(branch)}-billing-db-data`,
        `${g.project}-${previewEnvKey(branch)}-weight-db-data`,
      ]);
    }
    // the test environment and production are not previews: no container of theirs carries a preview label
    const labelled = await docker.listContainers([`${LABEL.project}=${g.project}`, LABEL.preview]);
    expect(labelled.length).toBe(8);

    // GitHub: a transient deployment per preview whose success links its address; the passed status names it
    await github.flush();
    const [deployment] = deploymentsTo('preview/feature/a');
    expect(deployment.body).toMatchObject({ ref: a.sha, transient_environment: true, production_environment: false });
    expect(statesOf(deployment.id)).toEqual([
      ['in_progress', undefined],
      ['success', `http://127.0.0.1:${pa.ports.billing}`],
    ]);
    const passed = gh
      .accepted()
      .filter((c) => c.path === `/repos/${g.github}/statuses/${b.sha}` && c.body.state === 'success')
      .map((c) => c.body.description);
    expect(passed).toEqual([`build #${b.id} passed; preview at http://127.0.0.1:${pb.ports.billing}`]);
    // the console's Environments pane gets them from the snapshot
    expect(g.engine.getSnapshot().previews[g.project].map((p) => [p.branch, p.state])).toEqual([
      ['feature/a', 'live'],
      ['feature/b', 'live'],
    ]);
  }, 600_000);

  it('a third branch past the limit of two: the preview deployed first is removed entirely, recorded, inactive on GitHub', async () => {
    const c = await buildBranch('feature/c');
    expect(g.store.previews.list(g.project).map((p) => p.branch)).toEqual(['feature/b', 'feature/c']);
    expect(await containersOf('feature/a')).toEqual([]);
    expect(await volumesOf('feature/a')).toEqual([]);
    expect(await networkExists(networkOf('feature/a'))).toBe(false);
    const [teardown] = g.store.releases.deployments(g.project, 'preview').filter((d) => d.kind === 'teardown');
    expect(teardown).toMatchObject({ target: 'feature/a', status: 'success', requestedBy: `greenci (build #${c.id})` });
    expect(teardown.reason).toMatch(/^evicted: at most 2 previews at once, and feature\/c needs one; 4 containers and 2 volumes removed$/);
    // feature/c reuses feature/a's ports: the range has only four
    const pc = g.store.previews.get(g.project, 'feature/c')!;
    expect(await health(pc.endpoints!.billing)).toMatchObject({ status: 'ok', commit: c.sha });
    await github.flush();
    const [shownA] = deploymentsTo('preview/feature/a');
    expect(statesOf(shownA.id).at(-1)).toEqual(['inactive', undefined]);
  }, 600_000);

  it("a branch's next build keeps its ports and its databases; deleting the branch removes its preview", async () => {
    const before = g.store.previews.get(g.project, 'feature/c')!;
    const dbBefore = (await containersOf('feature/c')).find((c) => c.Labels[LABEL.service] === 'weight-db')!.Id;
    await g.origin.checkout('feature/c');
    const sha = await g.origin.commitAll('feat: feature/c again');
    await g.origin.push('feature/c');
    const again = await g.engine.run({ project: g.project, branch: 'feature/c', requestedBy: 'dev' });
    expect(again.status, again.reason).toBe('success');
    const after = g.store.previews.get(g.project, 'feature/c')!;
    expect(after.ports).toEqual(before.ports);
    expect(after.createdAt).toBe(before.createdAt);
    expect(await health(after.endpoints!.billing)).toMatchObject({ commit: sha });
    expect((await containersOf('feature/c')).find((c) => c.Labels[LABEL.service] === 'weight-db')!.Id).toBe(dbBefore);

    const gone = await g.engine.branchDeleted(g.project, 'feature/b', 'github:dev');
    expect(gone.previewRemoved).toBe(true);
    expect(await containersOf('feature/b')).toEqual([]);
    expect(await volumesOf('feature/b')).toEqual([]);
    expect(await networkExists(networkOf('feature/b'))).toBe(false);
    expect(g.store.previews.get(g.project, 'feature/b')).toBeUndefined();
    expect(g.store.releases.deployments(g.project, 'preview')[0]).toMatchObject({
      kind: 'teardown',
      target: 'feature/b',
      requestedBy: 'github:dev',
      reason: 'branch feature/b was deleted; 4 containers and 2 volumes removed',
    });
  }, 600_000);

  it('a branch deleted while its build runs gets no preview afterwards', async () => {
    await g.origin.checkoutNewBranch('feature/short-lived');
    await g.origin.commitAll('feat: short-lived');
    await g.origin.push('feature/short-lived');
    // the branch goes from the remote while the tests run (as GitHub's delete button would)
    let deleted: Promise<void> | undefined;
    const un = g.engine.subscribe((e) => {
      if (!deleted && e.type === 'stage.updated' && e.stage.name === 'test' && e.stage.status === 'running')
        deleted = g.origin.deleteBranch('feature/short-lived');
    });
    const build = await g.engine.run({ project: g.project, branch: 'feature/short-lived', requestedBy: 'dev' });
    un();
    await deleted;
    expect(build.status, build.reason).toBe('success');
    expect(g.store.previews.get(g.project, 'feature/short-lived')).toBeUndefined();
    expect(await containersOf('feature/short-lived')).toEqual([]);
    expect(
      g.store.builds
        .logs(build.id)
        .some((l) => l.stage === 'preview' && l.line === 'no preview: branch feature/short-lived is no longer on the remote'),
    ).toBe(true);
  }, 300_000);

  it('closing the pull request of a branch (a signed delivery to the webhook endpoint) removes its preview', async () => {
    const head = g.store.previews.get(g.project, 'feature/c')!;
    const hook = await startWebhookServer(new Intake(g.engine, g.env), { listen: '127.0.0.1:0', path: '/webhook' });
    const answer = await deliver(
      `http://${hook.address}/webhook`,
      pullRequestPayload({ action: 'closed', repo: g.github, number: 7, headSha: head.sha, headRef: 'feature/c' }),
      { event: 'pull_request', secret: g.secret },
    );
    await hook.close();
    expect(answer.status).toBe(200);
    expect(answer.body.message).toBe('pull request #7 closed');
    await waitUntil(() => g.store.previews.get(g.project, 'feature/c') === undefined, 'the preview of feature/c removed', 60_000);
    expect(await containersOf('feature/c')).toEqual([]);
    expect(await networkExists(networkOf('feature/c'))).toBe(false);
    expect(g.store.releases.deployments(g.project, 'preview')[0]).toMatchObject({
      kind: 'teardown',
      target: 'feature/c',
      reason: 'pull request #7 was closed; 4 containers and 2 volumes removed',
    });
    expect(g.engine.getSnapshot().previews[g.project]).toEqual([]);
  }, 300_000);

  it("a commit whose greenci.yml no longer asks for previews removes its branch's preview", async () => {
    await buildBranch('feature/d');
    expect(g.store.previews.get(g.project, 'feature/d')?.state).toBe('live');
    const file = path.join(g.origin.work, 'greenci.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(previewBlock, ''));
    await g.origin.commitAll('ci: no previews');
    await g.origin.push('feature/d');
    const off = await g.engine.run({ project: g.project, branch: 'feature/d', requestedBy: 'dev' });
    expect(off.status, off.reason).toBe('success');
    expect(off.stages.at(-1)).toMatchObject({ name: 'preview', status: 'success' });
    expect(g.store.previews.get(g.project, 'feature/d')).toBeUndefined();
    expect(await containersOf('feature/d')).toEqual([]);
    expect(g.store.releases.deployments(g.project, 'preview')[0]).toMatchObject({
      kind: 'teardown',
      target: 'feature/d',
      reason: "this commit's greenci.yml has no environments.preview; 4 containers and 2 volumes removed",
    });
  }, 300_000);
});
