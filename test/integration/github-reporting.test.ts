import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubService } from '../../engine/github/github-service.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { type GithubStandIn, type RecordedCall, startGithubStandIn, summarise } from '../helpers/github-api-stand-in.js';

const TOKEN_ENV = 'GREENCI_TEST_GITHUB_TOKEN';
const TOKEN = 'ghp_greenciTestToken0123456789abcdefABCDEF';

/** Pending statuses may be replaced by a newer one before they go out (only the newest per commit and context is sent). */
function isSubsequence(seen: string[], of: string[]): boolean {
  let i = 0;
  for (const s of seen) {
    while (i < of.length && of[i] !== s) i++;
    if (i++ >= of.length) return false;
  }
  return true;
}

/**
 * What GitHub hears of builds and releases, as a GitHub API stand-in on 127.0.0.1 records it: the
 * sample project on a real Docker engine, a bare repository standing in for GitHub's git side,
 * greenci's outbox sending through @octokit/rest pointed at the stand-in by `baseUrl`.
 */
describe('GitHub reporting: commit statuses and deployments of real builds', () => {
  let g: GreenSetup;
  let gh: GithubStandIn;
  let github: GithubService;
  const context = 'greenci/push';

  const statuses = (sha: string) =>
    gh
      .accepted()
      .filter((c) => c.path === `/repos/${g.github}/statuses/${sha}`)
      .map((c) => ({
        state: c.body.state as string,
        description: c.body.description as string,
        context: c.body.context as string,
        url: c.body.target_url,
      }));
  const deployments = (since = 0) =>
    gh
      .accepted()
      .filter((c) => c.seq >= since && c.method === 'POST' && c.path === `/repos/${g.github}/deployments`)
      .map((c) => ({ id: c.response.id as number, seq: c.seq, body: c.body }));
  const deploymentStates = (id: number) =>
    gh
      .accepted()
      .filter((c) => c.path === `/repos/${g.github}/deployments/${id}/statuses`)
      .map((c) => [c.body.state as string, c.body.description as string, c.body.environment_url as string | undefined]);
  /** Every call of a build was sent (the outbox is empty) before the test reads what GitHub saw. */
  const settled = async () => {
    await github.flush();
    expect(g.store.github.reporting().pending).toBe(0);
  };
  const pendingsOf = (seen: { state: string; description: string }[], buildId: number) =>
    seen.filter((s) => s.state === 'pending').map((s) => s.description.replace(`build #${buildId}`, '#'));
  const EXPECTED_PENDING = [
    '# queued',
    '# started',
    '#: running checkout',
    '#: running config',
    '#: running build',
    '#: running deploy-test',
    '#: running test',
    '#: running promote',
    '#: running deploy-production',
    '#: running release',
  ];

  beforeAll(async () => {
    gh = await startGithubStandIn({ token: TOKEN });
    g = await setupGreen({
      healthTimeout: '10s',
      projectExtra: [
        '    githubApi:',
        `      tokenEnv: ${TOKEN_ENV}`,
        `      baseUrl: ${gh.url}`,
        '      publicUrl: https://ci.example.com',
      ].join('\n'),
    });
    github = g.engine.startGithub({ env: { ...process.env, [TOKEN_ENV]: TOKEN } });
  }, 180_000);
  afterAll(async () => {
    await github?.stop();
    await g?.cleanup();
    await gh?.close();
  });

  it('a passing feature build: pending at each stage, then success; its test environment is a transient GitHub deployment', async () => {
    await g.origin.checkoutNewBranch('feature-scales');
    const sha = await g.origin.commitAll('feat: scales report in grams');
    await g.origin.push('feature-scales');
    const since = gh.calls.length;
    const build = await g.engine.run({ project: g.project, branch: 'feature-scales', requestedBy: 'dev' });
    expect(build.status, build.reason).toBe('success');
    await settled();

    const seen = statuses(sha);
    expect(seen.every((s) => s.context === context && s.url === `https://ci.example.com/builds/${build.id}`)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ state: 'success', description: `build #${build.id} passed` });
    // every status but the last is pending, in stage order; none of the production stages of a feature branch
    const pendings = pendingsOf(seen, build.id);
    expect(pendings.length).toBe(seen.length - 1);
    expect(isSubsequence(pendings, EXPECTED_PENDING.slice(0, 7)), pendings.join(' | ')).toBe(true);
    expect(pendings).toContain('#: running test');

    const [test, ...more] = deployments(since);
    expect(more).toEqual([]);
    expect(test.body).toMatchObject({
      ref: sha,
      environment: 'test',
      transient_environment: true,
      production_environment: false,
      auto_merge: false,
      required_contexts: [],
      description: `test environment for build #${build.id} of feature-scales`,
    });
    expect(deploymentStates(test.id).map(([s]) => s)).toEqual(['in_progress', 'success']);
    // the environment's URL is where its app answered
    expect(deploymentStates(test.id)[1][2]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a failing feature build ends failure, saying at which stage and why', async () => {
    const sha = await g.origin.commitVariant('break-test', 'fix: totals (breaks a test)');
    await g.origin.push('feature-scales');
    const build = await g.engine.run({ project: g.project, branch: 'feature-scales', requestedBy: 'dev' });
    expect(build.status).toBe('failed');
    await settled();
    const seen = statuses(sha);
    expect(seen.at(-1)?.state).toBe('failure');
    expect(seen.at(-1)?.description).toMatch(/^failed at test: tests failed: /);
    expect([...seen.at(-1)!.description].length).toBeLessThanOrEqual(140);
    expect(seen.slice(0, -1).every((s) => s.state === 'pending')).toBe(true);
    await g.origin.revertVariant('break-test', 'revert: totals');
  });

  it('a cancelled build ends error, never left pending', async () => {
    const sha = await g.origin.commitAll('feat: slower scales');
    await g.origin.push('feature-scales');
    const running = new Promise<number>((resolve) => {
      const off = g.engine.subscribe((e) => {
        if (e.type === 'stage.updated' && e.stage.name === 'build' && e.stage.status === 'running') off(), resolve(e.buildId);
      });
    });
    const done = g.engine.run({ project: g.project, branch: 'feature-scales', requestedBy: 'dev' });
    g.engine.cancel(await running, 'alice');
    const build = await done;
    expect(build.status).toBe('cancelled');
    await settled();
    const seen = statuses(sha);
    expect(seen.at(-1)?.state).toBe('error');
    expect(seen.at(-1)?.description).toMatch(/cancelled by alice$/);
    expect(seen.slice(0, -1).every((s) => s.state === 'pending')).toBe(true);
  });

  it('a released master build: statuses to success naming the version, then a production deployment in_progress → success with its URL', async () => {
    await g.origin.checkout('master');
    const sha = await g.origin.commitAll('chore: first release');
    await g.origin.push('master');
    const since = gh.calls.length;
    const build = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'alice' });
    expect(build.status, build.reason).toBe('success');
    await settled();

    const seen = statuses(sha);
    expect(seen.at(-1)).toMatchObject({ state: 'success', description: 'passed and released v0.1.0' });
    expect(isSubsequence(pendingsOf(seen, build.id), EXPECTED_PENDING)).toBe(true);
    const [test, production, ...more] = deployments(since);
    expect(more).toEqual([]);
    expect(test.body.environment).toBe('test');
    expect(production.body).toEqual({
      ref: sha,
      task: 'deploy',
      environment: 'production',
      description: `release v0.1.0 (build #${build.id})`,
      auto_merge: false,
      required_contexts: [],
      production_environment: true,
      transient_environment: false,
      payload: { greenci: expect.objectContaining({ kind: 'promote', build: build.id, version: 'v0.1.0' }) },
    });
    const states = deploymentStates(production.id);
    expect(states.map(([s]) => s)).toEqual(['in_progress', 'success']);
    expect(states[1][1]).toBe('v0.1.0 is live');
    expect(states[1][2]).toBe(`http://127.0.0.1:${g.ports.billing}`);
    // the calls of one full master release, as GitHub saw them (the closing note quotes these)
    console.log(`calls GitHub saw for one master release:\n${summarise(gh.calls.slice(since)).join('\n')}`);
  });

  it('a release that fails in production: its deployment failure, then an automatic rollback deployment of the old commit', async () => {
    const first = g.engine.releases(g.project).live!;
    const sha = await g.origin.commitVariant('fails-later', 'feat: connection pool');
    await g.origin.push('master');
    const since = gh.calls.length;
    const build = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'alice' });
    expect(build.outcome).toBe('rolled-back');
    await settled();

    expect(statuses(sha).at(-1)).toMatchObject({ state: 'failure' });
    expect(statuses(sha).at(-1)?.description).toMatch(/^rolled back: v0\.2\.0 failed in production /);
    const [, promote, rollback, ...more] = deployments(since);
    expect(more).toEqual([]);
    expect(promote.body).toMatchObject({
      ref: sha,
      environment: 'production',
      payload: { greenci: { kind: 'promote', version: 'v0.2.0' } },
    });
    expect(deploymentStates(promote.id).map(([s]) => s)).toEqual(['in_progress', 'failure']);
    expect(rollback.body).toMatchObject({
      ref: first.sha,
      environment: 'production',
      payload: { greenci: { kind: 'auto-rollback', version: 'v0.1.0', requestedBy: 'greenci' } },
    });
    expect(rollback.body.description).toMatch(/^automatic rollback to v0\.1\.0/);
    expect(deploymentStates(rollback.id).map(([s]) => s)).toEqual(['in_progress', 'success']);
    await g.origin.revertVariant('fails-later', 'revert: connection pool');
  });

  it('a manual rollback is a deployment of the old commit saying who asked', async () => {
    await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    const released = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'alice' });
    expect(released.status, released.reason).toBe('success');
    const target = g.engine.releases(g.project).releases.find((r) => r.version === 'v0.1.0')!;
    const since = gh.calls.length;
    await g.engine.rollback({ project: g.project, to: 'v0.1.0', requestedBy: 'bob' });
    await settled();

    const [rollback, ...more] = deployments(since);
    expect(more).toEqual([]);
    expect(rollback.body).toMatchObject({
      ref: target.sha,
      environment: 'production',
      production_environment: true,
      payload: { greenci: { kind: 'rollback', version: 'v0.1.0', requestedBy: 'bob' } },
    });
    expect(rollback.body.description).toMatch(/^rollback to v0\.1\.0 by bob/);
    expect(deploymentStates(rollback.id).map(([s]) => s)).toEqual(['in_progress', 'success']);
    // nothing greenci sent carried its token (GitHub got it only as the credential)
    const everything = JSON.stringify(gh.calls.map((c: RecordedCall) => c.body));
    expect(everything).not.toContain(TOKEN);
  });
});
