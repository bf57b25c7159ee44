import { describe, expect, it } from 'vitest';
import type { BuildRecord, DeploymentRecord } from '../../engine/model.js';
import { emptySnapshot, MAX_BUILDS, reduce } from '../../engine/state.js';

const build = (id: number, extra: Partial<BuildRecord> = {}): BuildRecord => ({
  id,
  project: 'green',
  branch: 'master',
  refSlug: 'master',
  trigger: 'manual',
  status: 'queued',
  createdAt: id,
  stages: [{ name: 'checkout', title: 'Check out', status: 'pending' }],
  ...extra,
});
const deployment = (extra: Partial<DeploymentRecord>): DeploymentRecord => ({
  id: 1,
  project: 'green',
  env: 'production',
  kind: 'promote',
  status: 'running',
  startedAt: 1,
  ...extra,
});

describe('snapshot reducer', () => {
  it('keeps builds newest first, replaces updates in place, caps the list', () => {
    let s = reduce(emptySnapshot(), { type: 'build.updated', build: build(1) });
    s = reduce(s, { type: 'build.updated', build: build(2) });
    s = reduce(s, { type: 'build.updated', build: build(1, { status: 'success' }) });
    expect(s.builds.map((b) => [b.id, b.status])).toEqual([
      [2, 'queued'],
      [1, 'success'],
    ]);
    for (let i = 3; i < MAX_BUILDS + 10; i++) s = reduce(s, { type: 'build.updated', build: build(i) });
    expect(s.builds).toHaveLength(MAX_BUILDS);
    expect(s.builds[0].id).toBe(MAX_BUILDS + 9);
  });

  it('updates one stage of one build without touching the previous snapshot', () => {
    const before = reduce(emptySnapshot(), { type: 'build.updated', build: build(1) });
    const after = reduce(before, { type: 'stage.updated', buildId: 1, stage: { name: 'checkout', title: 'Check out', status: 'success' } });
    expect(after.builds[0].stages[0].status).toBe('success');
    expect(before.builds[0].stages[0].status).toBe('pending');
  });

  it('tracks the latest deployment per environment and the live version only on production success', () => {
    let s = reduce(emptySnapshot(), { type: 'deployment.updated', deployment: deployment({ version: 'v0.2.0' }) });
    expect(s.environments.green.production?.status).toBe('running');
    expect(s.live.green).toBeUndefined();
    s = reduce(s, { type: 'deployment.updated', deployment: deployment({ version: 'v0.2.0', status: 'success', releaseId: 4 }) });
    expect(s.live.green).toEqual({ version: 'v0.2.0', releaseId: 4 });
    s = reduce(s, { type: 'deployment.updated', deployment: deployment({ id: 2, version: 'v0.3.0', status: 'failed' }) });
    expect(s.live.green).toEqual({ version: 'v0.2.0', releaseId: 4 });
    s = reduce(s, {
      type: 'deployment.updated',
      deployment: deployment({ id: 3, env: 'test', kind: 'deploy', buildId: 9, status: 'success' }),
    });
    expect(s.environments.green.test?.buildId).toBe(9);
    expect(s.environments.green.production?.version).toBe('v0.3.0');
  });
});
