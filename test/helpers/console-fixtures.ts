import { createHash } from 'node:crypto';
import type { BuildRecord, ContainerRow, DeploymentRecord, HealthRecord, ReleaseRecord, StageRecord } from '../../engine/model.js';
import { emptySnapshot, type Snapshot } from '../../engine/state.js';

/** Records as the engine produces them, for driving the console without Docker. Times are relative to `now`. */

export const NOW = Date.now();

const STAGES = ['checkout', 'config', 'build', 'deploy-test', 'test', 'promote', 'release'];

export function stages(done: number, status: 'running' | 'failed' | 'success' = 'running', names = STAGES): StageRecord[] {
  return names.map((name, i) => {
    const st: StageRecord['status'] =
      i < done ? 'success' : i === done ? (status === 'success' ? 'success' : status) : status === 'running' ? 'pending' : 'skipped';
    return {
      name,
      title: name,
      status: st,
      startedAt: i <= done ? NOW - 60_000 + i * 5000 : undefined,
      finishedAt: i < done || status !== 'running' ? NOW - 55_000 + i * 5000 : undefined,
    };
  });
}

export function build(id: number, o: Partial<BuildRecord> = {}): BuildRecord {
  return {
    id,
    project: 'green',
    branch: 'master',
    sha: `${String(id).padStart(4, '0')}abcdef0123456789abcdef0123456789ab`.slice(0, 40),
    refSlug: 'master',
    trigger: 'push',
    requestedBy: 'github',
    status: 'success',
    createdAt: NOW - 120_000,
    startedAt: NOW - 60_000,
    finishedAt: NOW - 20_000,
    stages: stages(7, 'success'),
    commitSubject: `Change number ${id}`,
    push: { pusherName: 'alice' },
    ...o,
  };
}

export function container(name: string, o: Partial<ContainerRow> = {}): ContainerRow {
  return {
    id: createHash('sha256').update(name).digest('hex'),
    name,
    project: 'green',
    env: 'production',
    service: name.split('-').pop(),
    role: 'app',
    image: `${name.split('-').pop()}:v0.2.0-prod`,
    release: 'v0.2.0',
    build: 2,
    commit: '0002abcdef0123456789',
    subject: 'Change number 2',
    state: 'running',
    health: 'healthy',
    restarts: 0,
    startedAt: NOW - 300_000,
    cpuPercent: 1.5,
    memBytes: 12_500_000,
    ...o,
  };
}

/**
 * A monitor record as the engine keeps it: `green/production/billing` is the billing app of green's
 * production, `greenci/docker` greenci's own check of Docker, `greenci/build-12` a stuck build.
 */
export function health(key: string, o: Partial<HealthRecord> = {}): HealthRecord {
  const [project, env, service] = key.split('/');
  const own = project === 'greenci';
  const base: HealthRecord = own
    ? {
        key,
        kind: service === undefined && env?.startsWith('build-') ? 'build' : 'greenci',
        title: `greenci ${env}`,
        state: 'healthy',
        since: NOW - 600_000,
        failures: 0,
        successes: 5,
        recent: [],
        flapping: false,
        alerted: false,
        healAttempts: 0,
        checkedAt: NOW,
      }
    : {
        key,
        kind: 'app',
        project,
        env: env as HealthRecord['env'],
        service,
        title: `${project} ${env === 'production' ? 'prod' : 'test'} ${service}`,
        state: 'healthy',
        since: NOW - 600_000,
        failures: 0,
        successes: 5,
        recent: [],
        flapping: false,
        alerted: false,
        healAttempts: 0,
        checkedAt: NOW,
      };
  return { ...base, ...o };
}

export function release(id: number, version: string, o: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    id,
    project: 'green',
    version,
    sha: `${String(id).padStart(4, '0')}abcdef0123456789abcdef0123456789ab`.slice(0, 40),
    buildId: id,
    images: {},
    tagPushed: true,
    createdAt: NOW - (10 - id) * 3_600_000,
    ...o,
  };
}

export function deployment(id: number, o: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id,
    project: 'green',
    env: 'production',
    kind: 'promote',
    status: 'success',
    startedAt: NOW - 30_000,
    finishedAt: NOW - 25_000,
    requestedBy: 'github',
    ...o,
  };
}

/** green with v0.1.0 and v0.2.0 released (v0.2.0 live), a running feature build, a queued one and history. */
export function sampleSnapshot(): Snapshot {
  const s = emptySnapshot();
  s.builds = [
    build(5, {
      branch: 'feature/login',
      status: 'queued',
      startedAt: undefined,
      finishedAt: undefined,
      stages: stages(0, 'running').map((st) => ({ ...st, status: 'pending', startedAt: undefined, finishedAt: undefined })),
      push: { pusherName: 'bob' },
    }),
    build(4, {
      branch: 'feature/weights',
      status: 'running',
      finishedAt: undefined,
      stages: stages(4, 'running', STAGES.slice(0, 5)),
      push: { pusherName: 'carol' },
    }),
    build(3, {
      branch: 'fix/totals',
      status: 'failed',
      reason: 'test failed: weight-api exited 1',
      stages: stages(4, 'failed', STAGES.slice(0, 5)),
    }),
    build(2, { version: 'v0.2.0' }),
    build(1, { version: 'v0.1.0', createdAt: NOW - 7_200_000, startedAt: NOW - 7_100_000, finishedAt: NOW - 7_000_000 }),
  ];
  s.environments = {
    green: {
      production: deployment(2, { version: 'v0.2.0', releaseId: 2, buildId: 2 }),
      test: deployment(3, { env: 'test', kind: 'deploy', buildId: 4, status: 'success' }),
    },
  };
  s.live = { green: { version: 'v0.2.0', releaseId: 2 } };
  s.containers = [
    container('green-production-billing'),
    container('green-production-billing-db', {
      role: 'service',
      image: 'green-db:v0.2.0-prod',
      health: undefined,
      cpuPercent: 0.3,
      memBytes: 40_000_000,
    }),
    container('green-production-weight', { health: 'unhealthy', restarts: 2, cpuPercent: 12.25 }),
    container('green-test-weight', {
      env: 'test',
      image: 'weight:feature-weights-test',
      release: 'build-4',
      build: 4,
      subject: 'Change number 4',
      state: 'exited',
      health: undefined,
      exitCode: 137,
      finishedAt: NOW - 15_000,
      cpuPercent: undefined,
      memBytes: undefined,
    }),
  ];
  s.docker = { reachable: true, since: NOW - 3_600_000 };
  return s;
}
