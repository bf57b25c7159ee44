import { describe, expect, it } from 'vitest';
import { statsSample, type StatsSample } from '../../engine/docker/stats.js';
import {
  changedBy,
  containerRow,
  imageName,
  cpuPercent,
  dockerTime,
  listKey,
  memoryBytes,
  nextUsage,
  withUsage,
  type InspectedContainer,
} from '../../engine/monitor/container-row.js';

const inspected = (
  over: { State?: Partial<InspectedContainer['State']>; Labels?: Record<string, string> | null; RestartCount?: number } = {},
): InspectedContainer => ({
  Id: 'a'.repeat(64),
  Name: '/green-production-billing',
  RestartCount: over.RestartCount ?? 0,
  Config: {
    Image: 'billing:v0.2.0-prod',
    Labels:
      over.Labels === undefined
        ? {
            'greenci.project': 'green',
            'greenci.env': 'production',
            'greenci.service': 'billing',
            'greenci.role': 'app',
            'greenci.release': 'v0.2.0',
            'greenci.build': '12',
            'greenci.commit': 'c0ffee',
            other: 'x',
          }
        : over.Labels,
  },
  State: { Status: 'running', ExitCode: 0, StartedAt: '2026-11-22T20:47:24.224540903Z', FinishedAt: '0001-01-01T00:00:00Z', ...over.State },
});

const sample = (over: Partial<StatsSample> = {}): StatsSample => ({
  readAt: 1000,
  cpuTotal: 0,
  systemCpu: 0,
  onlineCpus: 2,
  memUsage: 0,
  memCache: 0,
  memLimit: 0,
  ...over,
});

describe('container rows', () => {
  it('a running app container: labels, image, state, start time; no exit code, no finish time', () => {
    expect(containerRow(inspected(), 'feat: bill by weight')).toStrictEqual({
      id: 'a'.repeat(64),
      name: 'green-production-billing',
      project: 'green',
      env: 'production',
      service: 'billing',
      role: 'app',
      image: 'billing:v0.2.0-prod',
      release: 'v0.2.0',
      build: 12,
      commit: 'c0ffee',
      subject: 'feat: bill by weight',
      state: 'running',
      restarts: 0,
      startedAt: Date.parse('2026-11-22T20:47:24.224Z'),
    });
  });

  it('an exited container shows its exit code and both times; health and restarts come from Docker', () => {
    const row = containerRow(
      inspected({
        RestartCount: 3,
        State: { Status: 'exited', ExitCode: 137, FinishedAt: '2026-11-22T20:50:00Z', Health: { Status: 'unhealthy' } },
      }),
    );
    expect([row.state, row.exitCode, row.restarts, row.health, row.finishedAt]).toEqual([
      'exited',
      137,
      3,
      'unhealthy',
      Date.parse('2026-11-22T20:50:00Z'),
    ]);
    expect(containerRow(inspected({ State: { Status: 'restarting', ExitCode: 1 } })).exitCode).toBe(1);
    expect(containerRow(inspected({ State: { Status: 'created', ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z' } }))).not.toHaveProperty(
      'exitCode',
    );
  });

  it('a health status Docker has no word for, missing labels and a non-numeric build label are left out', () => {
    const row = containerRow(
      inspected({ Labels: { 'greenci.project': 'green', 'greenci.build': 'abc' }, State: { Health: { Status: 'none' } } }),
    );
    expect(row).toStrictEqual({
      id: 'a'.repeat(64),
      name: 'green-production-billing',
      project: 'green',
      env: '',
      image: 'billing:v0.2.0-prod',
      state: 'running',
      restarts: 0,
      startedAt: Date.parse('2026-11-22T20:47:24.224Z'),
    });
    expect(containerRow(inspected({ Labels: null })).project).toBe('');
  });

  it("Docker's zero time is no time", () => {
    expect(dockerTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(dockerTime(undefined)).toBeUndefined();
    expect(dockerTime('')).toBeUndefined();
    expect(dockerTime('not a time')).toBeUndefined();
    expect(dockerTime('2026-01-02T03:04:05.5Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 500));
  });
});

describe('resource figures', () => {
  it('CPU percent of one core from two samples: container delta / host delta × online CPUs, to 0.1', () => {
    const a = sample({ cpuTotal: 1_000_000_000, systemCpu: 100_000_000_000 });
    // 2 cores: the host ran 2 s of CPU time in 1 s; the container used 0.5 s of it → half a core
    expect(cpuPercent(a, sample({ readAt: 2000, cpuTotal: 1_500_000_000, systemCpu: 102_000_000_000 }))).toBe(50);
    expect(cpuPercent(a, sample({ readAt: 2000, cpuTotal: 2_999_000_000, systemCpu: 102_000_000_000 }))).toBe(199.9);
    expect(cpuPercent(a, sample({ readAt: 2000, cpuTotal: 1_000_123_456, systemCpu: 102_000_000_000 }))).toBe(0);
  });

  it('no CPU figure without an earlier sample, from the same tick twice, or across a restart (counter went back)', () => {
    const a = sample({ cpuTotal: 5, systemCpu: 10 });
    expect(cpuPercent(undefined, a)).toBeUndefined();
    expect(cpuPercent(a, a)).toBeUndefined();
    expect(cpuPercent(a, sample({ cpuTotal: 1, systemCpu: 20 }))).toBeUndefined();
  });

  it('memory in use is usage without the page cache, never negative', () => {
    expect(memoryBytes(sample({ memUsage: 10_000_000, memCache: 4_000_000 }))).toBe(6_000_000);
    expect(memoryBytes(sample({ memUsage: 1, memCache: 5 }))).toBe(0);
  });

  it('a row with its figures; absent figures are left out', () => {
    const row = containerRow(inspected());
    expect(withUsage(row, { cpuPercent: 12.5, memBytes: 1024, memLimitBytes: 2048 })).toStrictEqual({
      ...row,
      cpuPercent: 12.5,
      memBytes: 1024,
      memLimitBytes: 2048,
    });
    expect(withUsage(row, {})).toStrictEqual(row);
  });
});

describe('figures over successive samples', () => {
  const a = sample({ cpuTotal: 1_000_000_000, systemCpu: 100_000_000_000, memUsage: 5000, memCache: 1000, memLimit: 9000 });
  const b = sample({ readAt: 2000, cpuTotal: 1_200_000_000, systemCpu: 102_000_000_000, memUsage: 6000, memCache: 1000, memLimit: 9000 });

  it('memory from the first sample; CPU from the second on', () => {
    const first = nextUsage({}, a);
    expect(first).toStrictEqual({ sample: a, cpuPercent: undefined, memBytes: 4000, memLimitBytes: 9000 });
    expect(nextUsage(first, b)).toStrictEqual({ sample: b, cpuPercent: 20, memBytes: 5000, memLimitBytes: 9000 });
  });

  it('a sample from the same Docker tick keeps the last CPU figure and the older sample to measure from', () => {
    const second = nextUsage(nextUsage({}, a), b);
    const again = { ...b, memUsage: 7000 };
    expect(nextUsage(second, again)).toStrictEqual({ sample: b, cpuPercent: 20, memBytes: 6000, memLimitBytes: 9000 });
  });

  it('no memory limit reported is no limit figure', () => {
    expect(nextUsage({}, sample({ memLimit: 0 })).memLimitBytes).toBeUndefined();
  });
});

describe('when to look again', () => {
  it('the list answer tells a row changed by its state and healthcheck status, not by its age', () => {
    expect(listKey({ State: 'running', Status: 'Up 5 seconds' })).toBe(listKey({ State: 'running', Status: 'Up 2 hours' }));
    expect(listKey({ State: 'running', Status: 'Up 5 seconds (health: starting)' })).not.toBe(
      listKey({ State: 'running', Status: 'Up 9 seconds (healthy)' }),
    );
    expect(listKey({ State: 'running', Status: 'Up 1 minute (unhealthy)' })).toBe('running|unhealthy');
    expect(listKey({ State: 'exited', Status: 'Exited (137) 2 seconds ago' })).toBe('exited|');
  });

  it('container events that change a row name it; exec and other chatter do not', () => {
    const ev = (Action: string, Type = 'container') => ({ Type, Action, Actor: { ID: 'c1', Attributes: {} } });
    expect(changedBy(ev('die'))).toEqual({ id: 'c1', gone: false });
    expect(changedBy(ev('health_status: unhealthy'))).toEqual({ id: 'c1', gone: false });
    expect(changedBy(ev('destroy'))).toEqual({ id: 'c1', gone: true });
    expect(changedBy(ev('exec_start: /bin/sh -c healthcheck'))).toBeUndefined();
    expect(changedBy(ev('exec_die'))).toBeUndefined();
    expect(changedBy(ev('start', 'network'))).toBeUndefined();
    expect(changedBy({ Action: 'start' })).toBeUndefined();
  });
});

describe("Docker's stats answer", () => {
  // trimmed from a real `GET /containers/ID/stats?stream=false&one-shot=true` on Docker 20.10 (cgroup v1)
  const v1 = {
    read: '2026-11-22T20:47:24.224540903Z',
    preread: '0001-01-01T00:00:00Z',
    cpu_stats: {
      cpu_usage: { total_usage: 1076072044, percpu_usage: [32480618, 1043591426] },
      system_cpu_usage: 22652150000000,
      online_cpus: 2,
    },
    precpu_stats: { cpu_usage: { total_usage: 0 } },
    memory_stats: {
      usage: 610304,
      max_usage: 3547136,
      limit: 25276510208,
      stats: { cache: 8192, inactive_file: 4096, rss: 57344, total_cache: 8192 },
    },
  };

  it('cgroup v1: the cache is `cache`', () => {
    expect(statsSample(v1)).toStrictEqual({
      readAt: Date.parse('2026-11-22T20:47:24.224Z'),
      cpuTotal: 1076072044,
      systemCpu: 22652150000000,
      onlineCpus: 2,
      memUsage: 610304,
      memCache: 8192,
      memLimit: 25276510208,
    });
  });

  it('cgroup v2: the cache is `inactive_file`; without online_cpus the per-CPU list counts them', () => {
    const v2 = {
      ...v1,
      cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 2, 0] }, system_cpu_usage: 9 },
      memory_stats: { usage: 100, limit: 1000, stats: { inactive_file: 30, anon: 70 } },
    };
    expect(statsSample(v2)).toStrictEqual({
      readAt: Date.parse('2026-11-22T20:47:24.224Z'),
      cpuTotal: 5,
      systemCpu: 9,
      onlineCpus: 4,
      memUsage: 100,
      memCache: 30,
      memLimit: 1000,
    });
  });

  it('a stopped container (zero time, no host counter) has no sample', () => {
    expect(statsSample({ read: '0001-01-01T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} })).toBeUndefined();
    expect(statsSample({})).toBeUndefined();
  });
});

describe('imageName: what the panes show for an image deployed by id', () => {
  const id = `sha256:${'ab'.repeat(32)}`;
  it('the tag naming the release, else the first tag, else the short id; names stay as they are', () => {
    expect(imageName(id, ['billing:v0.1.0-prod', 'billing:v0.2.0-prod'], 'v0.2.0')).toBe('billing:v0.2.0-prod');
    expect(imageName(id, ['billing:master-test'], 'build-4')).toBe('billing:master-test');
    expect(imageName(id, [], 'v0.2.0')).toBe('abababababab');
    expect(imageName('busybox:local', [], undefined)).toBe('busybox:local');
  });
});
