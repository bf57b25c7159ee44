import { describe, expect, it } from 'vitest';
import { buildPageId, buildPageText } from '../../engine/github/build-page.js';
import { commitStatusOf, fitDescription, MAX_DESCRIPTION } from '../../engine/github/commit-status.js';
import {
  deploymentBody,
  deploymentStatusBody,
  isReportedDeployment,
  previewEnvironment,
  previewGoneBody,
} from '../../engine/github/deployments.js';
import { afterFailure } from '../../engine/github/retry.js';
import type { BuildRecord, DeploymentRecord } from '../../engine/model.js';

const SHA = 'a'.repeat(40);
const build = (o: Partial<BuildRecord> = {}): BuildRecord => ({
  id: 7,
  project: 'green',
  branch: 'feature-1',
  sha: SHA,
  refSlug: 'feature-1',
  trigger: 'push',
  status: 'queued',
  createdAt: 0,
  stages: [
    { name: 'checkout', title: 'Check out', status: 'success' },
    { name: 'test', title: 'Run the tests', status: 'pending' },
  ],
  ...o,
});

describe('a build as its commit status', () => {
  it('is pending while queued and names the running stage', () => {
    expect(commitStatusOf(build(), 'greenci/push')?.body).toEqual({
      state: 'pending',
      context: 'greenci/push',
      description: 'build #7 queued',
    });
    const running = build({ status: 'running', stages: [{ name: 'test', title: 'Run the tests', status: 'running' }] });
    expect(commitStatusOf(running, 'greenci/push')?.body.description).toBe('build #7: running test');
  });

  it('says where it failed and why, and a superseded or cancelled build ends error, never pending', () => {
    const failed = build({
      status: 'failed',
      stages: [{ name: 'test', title: 't', status: 'failed', error: 'tests failed: unit: exit 1' }],
    });
    expect(commitStatusOf(failed, 'c')?.body).toMatchObject({
      state: 'failure',
      description: 'failed at test: tests failed: unit: exit 1',
    });
    expect(commitStatusOf(build({ status: 'cancelled', outcome: 'superseded', supersededBy: 9 }), 'c')?.body).toMatchObject({
      state: 'error',
      description: 'superseded by build #9',
    });
    expect(commitStatusOf(build({ status: 'cancelled', reason: 'cancelled by alice' }), 'c')?.body).toMatchObject({
      state: 'error',
      description: 'cancelled by alice',
    });
  });

  it('a release that failed in production says first that it was rolled back, then why', () => {
    const reason =
      'v0.2.0 failed in production (app billing answered 503 three times in a row); switched back to the warm v0.1.0 in 80 ms, which is healthy';
    const rolled = build({
      status: 'failed',
      outcome: 'rolled-back',
      reason,
      stages: [{ name: 'deploy-production', title: 'd', status: 'failed', error: reason }],
    });
    expect(commitStatusOf(rolled, 'c')?.body.description).toBe(
      'rolled back: v0.2.0 failed in production (app billing answered 503 three times in a row)',
    );
  });

  it('a released build names its version; target_url only with a public URL', () => {
    const ok = build({ status: 'success', version: 'v1.2.0' });
    expect(commitStatusOf(ok, 'c')?.body).toEqual({ state: 'success', context: 'c', description: 'passed and released v1.2.0' });
    expect(commitStatusOf(ok, 'c', 'https://ci.example.com/')?.body.target_url).toBe('https://ci.example.com/builds/7');
  });

  it('a passed branch build names its preview when it put one up', () => {
    const passed = build({ status: 'success' });
    expect(commitStatusOf(passed, 'c', undefined, 'http://127.0.0.1:20100')?.body.description).toBe(
      `build #${passed.id} passed; preview at http://127.0.0.1:20100`,
    );
    expect(commitStatusOf(build({ status: 'failed' }), 'c', undefined, 'http://127.0.0.1:20100')?.body.description).not.toMatch(/preview/);
  });

  it('has no status without a full commit SHA', () => {
    expect(commitStatusOf(build({ sha: undefined, requestedSha: undefined }), 'c')).toBeUndefined();
    expect(commitStatusOf(build({ sha: 'abc' }), 'c')).toBeUndefined();
  });

  it('keeps descriptions within GitHub 140 characters, on whole characters', () => {
    const long = fitDescription(`${'é'.repeat(100)}\n${'🙂'.repeat(100)}`);
    expect([...long]).toHaveLength(MAX_DESCRIPTION);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toContain('\n');
    const failed = build({ status: 'failed', stages: [{ name: 'test', title: 't', status: 'failed', error: 'x'.repeat(500) }] });
    expect([...(commitStatusOf(failed, 'c')?.body.description ?? '')].length).toBeLessThanOrEqual(MAX_DESCRIPTION);
  });
});

const deployment = (o: Partial<DeploymentRecord>): DeploymentRecord => ({
  id: 3,
  project: 'green',
  env: 'production',
  kind: 'promote',
  buildId: 7,
  releaseId: 2,
  version: 'v1.2.0',
  status: 'running',
  startedAt: 0,
  ...o,
});

describe('a deployment as GitHub deployments', () => {
  it('production: production_environment, no required contexts, no auto-merge, payload with version and build', () => {
    expect(deploymentBody(deployment({}), SHA)).toEqual({
      ref: SHA,
      task: 'deploy',
      environment: 'production',
      description: 'release v1.2.0 (build #7)',
      auto_merge: false,
      required_contexts: [],
      production_environment: true,
      transient_environment: false,
      payload: { greenci: { deployment: 3, kind: 'promote', build: 7, version: 'v1.2.0' } },
    });
  });

  it('a rollback says who and why; the test environment is transient', () => {
    const rb = deploymentBody(deployment({ kind: 'rollback', requestedBy: 'alice', reason: 'bad numbers' }), SHA);
    expect(rb.description).toBe('rollback to v1.2.0 by alice: bad numbers');
    const auto = deploymentBody(deployment({ kind: 'auto-rollback', reason: 'v1.3.0 failed its health check' }), SHA);
    expect(auto.description).toBe('automatic rollback to v1.2.0: v1.3.0 failed its health check');
    const test = deploymentBody(deployment({ env: 'test', kind: 'deploy' }), SHA, 'feature-1');
    expect(test).toMatchObject({ environment: 'test', transient_environment: true, production_environment: false });
  });

  it('statuses: in_progress, then success with the URL, failure with the reason', () => {
    expect(deploymentStatusBody(deployment({})).state).toBe('in_progress');
    const ok = deploymentStatusBody(
      deployment({ status: 'success', endpoints: { weight: 'http://127.0.0.1:81/health', billing: 'http://127.0.0.1:8001/health' } }),
    );
    expect(ok).toEqual({ state: 'success', description: 'v1.2.0 is live', environment_url: 'http://127.0.0.1:8001' });
    expect(deploymentStatusBody(deployment({ status: 'failed', reason: 'billing unhealthy' }))).toMatchObject({
      state: 'failure',
      description: 'v1.2.0 failed: billing unhealthy',
    });
  });

  it('a preview: its own transient environment per branch, its address once live, inactive once removed', () => {
    const d = deployment({ env: 'preview', target: 'feature/login', kind: 'deploy', releaseId: undefined, version: undefined });
    expect(deploymentBody(d, SHA)).toMatchObject({
      environment: 'preview/feature/login',
      description: 'preview of feature/login, build #7',
      transient_environment: true,
      production_environment: false,
    });
    expect(deploymentStatusBody({ ...d, status: 'success', endpoints: { web: 'http://127.0.0.1:20100/health' } })).toEqual({
      state: 'success',
      description: 'build #7 is live',
      environment_url: 'http://127.0.0.1:20100',
    });
    expect(isReportedDeployment(d)).toBe(true);
    expect(previewGoneBody({ ...d, kind: 'teardown', status: 'success', reason: 'branch feature/login was deleted' })).toEqual({
      state: 'inactive',
      description: 'preview removed: branch feature/login was deleted',
    });
    expect(previewEnvironment('x'.repeat(300))).toHaveLength(255);
  });

  it('only test deployments and changes of production release are reported', () => {
    expect(isReportedDeployment(deployment({ kind: 'stop' }))).toBe(false);
    expect(isReportedDeployment(deployment({ env: 'test', kind: 'teardown' }))).toBe(false);
    expect(isReportedDeployment(deployment({ kind: 'auto-rollback' }))).toBe(true);
  });
});

describe('after a failed call', () => {
  const now = 1_000_000;
  it('401, 404, 422 and a 403 without a rate limit are final', () => {
    for (const status of [401, 404, 422, 400]) expect(afterFailure({ status, message: 'x' }, 1, now)).toEqual({ final: true });
    expect(afterFailure({ status: 403, message: 'Resource not accessible by integration' }, 1, now)).toEqual({ final: true });
  });
  it('5xx and no answer are tried again with growing backoff', () => {
    const first = afterFailure({ status: 503, message: 'x' }, 1, now);
    const later = afterFailure({ message: 'ECONNREFUSED' }, 5, now);
    expect(first).toEqual({ final: false, at: now + 2_000, paused: false });
    expect(later).toMatchObject({ final: false, paused: false });
    expect((later as { at: number }).at).toBeGreaterThan(now + 2_000);
  });
  it('a rate limit waits for its reset, Retry-After for its seconds, and pauses everything', () => {
    const reset = Math.floor(now / 1000) + 30;
    expect(
      afterFailure({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, message: 'x' }, 1, now),
    ).toEqual({
      final: false,
      at: reset * 1000 + 1000,
      paused: true,
    });
    expect(afterFailure({ status: 429, headers: { 'retry-after': '7' }, message: 'x' }, 1, now)).toEqual({
      final: false,
      at: now + 7000,
      paused: true,
    });
    expect(afterFailure({ status: 403, message: 'You have exceeded a secondary rate limit' }, 1, now)).toMatchObject({ paused: true });
  });
});

describe('the build page a status links to', () => {
  it('answers /builds/<id> only, and shows no control characters a commit subject may carry', () => {
    expect(buildPageId('/builds/12')).toBe(12);
    for (const p of ['/builds/012', '/builds/12/', '/builds/../x', '/builds/1e3', '/builds/99999999999'])
      expect(buildPageId(p)).toBeUndefined();
    const text = buildPageText(
      build({
        status: 'failed',
        commitSubject: 'fix\u001b[31m red',
        stages: [{ name: 'test', title: 't', status: 'failed', error: 'tests failed: unit' }],
      }),
    );
    expect(text).toContain('greenci build #7: green feature-1');
    expect(text).toContain('"fix?[31m red"');
    expect(text).toMatch(/^ {2}test +failed +tests failed: unit$/m);
  });
});
