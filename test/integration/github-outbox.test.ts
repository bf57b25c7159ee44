import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import type { GreenciConfig } from '../../config/schema.js';
import { EventBus } from '../../engine/events.js';
import { type GithubService, startGithub } from '../../engine/github/github-service.js';
import { githubReporting } from '../../engine/github/reporting.js';
import { githubVerdict } from '../../engine/github/reporting-verdict.js';
import type { BuildRecord } from '../../engine/model.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { type GithubStandIn, startGithubStandIn } from '../helpers/github-api-stand-in.js';
import { tempDir } from '../helpers/origin.js';
import { waitUntil } from '../helpers/wait.js';

const TOKEN = 'ghp_outboxTestToken0123456789';
const ENV = { GREENCI_TEST_GH: TOKEN };

const build = (id: number, sha: string, o: Partial<BuildRecord> = {}): BuildRecord => ({
  id,
  project: 'green',
  branch: 'feature-1',
  sha,
  refSlug: 'feature-1',
  trigger: 'push',
  status: 'success',
  createdAt: Date.now(),
  stages: [],
  ...o,
});
const sha = (n: number) => n.toString(16).padStart(40, 'a');

/**
 * The GitHub outbox against a GitHub stand-in on 127.0.0.1: every call stored before it is sent,
 * retried on what GitHub may get over, final on what it will not, rate limits waited out.
 */
describe('the GitHub outbox', () => {
  let gh: GithubStandIn;
  let dataDir: string;
  let store: Store;
  let bus: EventBus;
  let service: GithubService;
  let config: GreenciConfig;

  beforeAll(async () => {
    gh = await startGithubStandIn({ token: TOKEN });
  });
  afterAll(async () => {
    await gh?.close();
  });
  beforeEach(() => {
    dataDir = tempDir('greenci-github-');
    config = parseConfig(
      [
        `dataDir: ${dataDir}`,
        'projects:',
        '  green:',
        '    repo: /nowhere.git',
        '    github: acme/green',
        '    githubApi:',
        '      tokenEnv: GREENCI_TEST_GH',
        `      baseUrl: ${gh.url}`,
        '',
      ].join('\n'),
      dataDir,
      ENV,
    ).config!;
    store = openStore(dataDir);
    bus = new EventBus();
    service = startGithub({ store, config: () => config, subscribe: (fn) => bus.subscribe(fn), publish: (e) => bus.emit(e), env: ENV });
  });
  afterEach(async () => {
    await service.stop();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const callsFor = (commit: string) => gh.calls.filter((c) => c.path === `/repos/acme/green/statuses/${commit}`);

  it('GitHub answers 503, then 201: the status is tried again and taken once', async () => {
    gh.failNext({ status: 503, body: { message: 'Service Unavailable' } }, { path: /statuses/ });
    bus.emit({ type: 'build.updated', build: build(1, sha(1)) });
    await gh.waitFor(() => callsFor(sha(1)).some((c) => c.status === 201), 20_000);
    expect(callsFor(sha(1)).map((c) => c.status)).toEqual([503, 201]);
    expect(callsFor(sha(1))[1].body).toEqual(callsFor(sha(1))[0].body);
    await service.flush();
    expect(store.github.reporting()).toMatchObject({ pending: 0 });
    expect(store.github.reporting().failingSince).toBeUndefined();
  });

  it('GitHub refuses with 422: not tried again, its reason kept for greenci health; the next call goes out', async () => {
    gh.failNext(
      {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', message: 'No commit found for SHA' }] },
      },
      { path: /statuses/ },
    );
    bus.emit({ type: 'build.updated', build: build(2, sha(2)) });
    await waitUntil(() => store.github.list(1)[0]?.status === 'failed', 'the call given up', 10_000);
    const reporting = githubReporting(store.github);
    expect(reporting.lastError).toMatchObject({ final: true, call: `greenci/push success "build #2 passed" on ${sha(2).slice(0, 7)}` });
    expect(reporting.lastError?.error).toMatch(/^GitHub answered 422: Validation Failed .*No commit found for SHA/);
    expect(githubVerdict(reporting, Date.now()).detail).toMatch(/refused: greenci\/push success .*422/);

    // a refusal does not hold the others back, and is not sent again with them
    bus.emit({ type: 'build.updated', build: build(3, sha(3)) });
    await gh.waitFor(() => callsFor(sha(3)).some((c) => c.status === 201), 10_000);
    await service.flush();
    expect(callsFor(sha(2)).map((c) => c.status)).toEqual([422]);
    expect(githubReporting(store.github).failingSince).toBeUndefined();
  });

  it('a rate limit (403, x-ratelimit-remaining 0) is waited out until its reset, for every call', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 2;
    gh.failNext(
      {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-limit': '5000' },
        body: { message: 'API rate limit exceeded for user ID 1.' },
      },
      { path: /statuses/ },
    );
    bus.emit({ type: 'build.updated', build: build(4, sha(4)) });
    await gh.waitFor(() => callsFor(sha(4)).length === 1, 10_000);
    // stored while GitHub asked greenci to wait: it waits too
    bus.emit({ type: 'build.updated', build: build(5, sha(5)) });
    await gh.waitFor(() => callsFor(sha(4)).some((c) => c.status === 201) && callsFor(sha(5)).some((c) => c.status === 201), 20_000);
    expect(callsFor(sha(4)).map((c) => c.status)).toEqual([403, 201]);
    for (const c of [callsFor(sha(4))[1], callsFor(sha(5))[0]]) expect(c.at).toBeGreaterThanOrEqual(reset * 1000);
    expect(callsFor(sha(5))).toHaveLength(1);
  });

  it('a deployment status waits for its deployment, and a later state replaces a waiting one', async () => {
    gh.failNext({ status: 502 }, { path: /\/deployments$/ });
    const d = {
      id: 9,
      project: 'green',
      env: 'production' as const,
      kind: 'rollback' as const,
      releaseId: undefined,
      version: 'v0.1.0',
      requestedBy: 'bob',
      startedAt: Date.now(),
    };
    const buildId = store.builds.create({
      project: 'green',
      branch: 'master',
      refSlug: 'master',
      trigger: 'push',
      requestedSha: sha(6),
      stages: [],
    });
    bus.emit({ type: 'deployment.updated', deployment: { ...d, buildId, status: 'running' } });
    bus.emit({ type: 'deployment.updated', deployment: { ...d, buildId, status: 'success', finishedAt: Date.now() } });
    await gh.waitFor((calls) => calls.some((c) => /\/deployments\/\d+\/statuses$/.test(c.path)), 20_000);
    const mine = gh.calls.filter((c) => c.path.startsWith('/repos/acme/green/deployments'));
    expect(mine.map((c) => [c.path.replace(/\d+/, 'ID'), c.status, c.body.state ?? ''])).toEqual([
      ['/repos/acme/green/deployments', 502, ''],
      ['/repos/acme/green/deployments', 201, ''],
      ['/repos/acme/green/deployments/ID/statuses', 201, 'success'],
    ]);
  });
});
