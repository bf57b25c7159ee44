import { describe, expect, it } from 'vitest';
import { appServiceName, appServiceSpec, databaseServiceSpec } from '../../engine/swarm/service-spec.js';
import { failedTaskIds, nodeVerdict, serviceTasksVerdict } from '../../engine/swarm/task-health.js';
import { taskVerdict, updateVerdict } from '../../engine/swarm/task-verdict.js';
import type { SwarmTask } from '../../engine/swarm/types.js';

const S = 1_000_000_000;
const health = {
  Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health'],
  Interval: S,
  Timeout: 2 * S,
  Retries: 3,
  StartPeriod: 0,
};

describe('Swarm service specs', () => {
  it("a release's app: its own service, replicas, image by id, dnsrr on the overlay, constraints, start-first", () => {
    expect(
      appServiceSpec({
        project: 'green',
        app: 'billing',
        release: 'v0.3.0',
        buildId: 12,
        commit: 'abc',
        imageId: 'sha256:0123',
        replicas: 2,
        network: 'green-prod',
        env: { RATE: '0.5', GREENCI_VERSION: 'v0.3.0' },
        healthcheck: health,
        constraints: ['node.role==worker'],
        memoryBytes: 268_435_456,
        labels: { 'greenci.project': 'green', 'greenci.release': 'v0.3.0' },
      }),
    ).toEqual({
      Name: 'green-prod-billing-v0-3-0',
      Labels: { 'greenci.project': 'green', 'greenci.release': 'v0.3.0' },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'sha256:0123',
          Labels: { 'greenci.project': 'green', 'greenci.release': 'v0.3.0' },
          Env: ['RATE=0.5', 'GREENCI_VERSION=v0.3.0'],
          Init: true,
          HealthCheck: health,
          StopGracePeriod: 10 * S,
        },
        Networks: [{ Target: 'green-prod', Aliases: ['green-prod-billing-v0-3-0'] }],
        Placement: { Constraints: ['node.role==worker'] },
        RestartPolicy: { Condition: 'on-failure', MaxAttempts: 2, Delay: S },
        Resources: { Limits: { MemoryBytes: 268_435_456 } },
      },
      Mode: { Replicated: { Replicas: 2 } },
      UpdateConfig: { Parallelism: 1, Order: 'start-first', FailureAction: 'pause', Monitor: 5 * S },
      EndpointSpec: { Mode: 'dnsrr' },
    });
  });

  it('a database: one task pinned to the node with its volume, mounted, stop-first, a long grace, reached by its own name', () => {
    expect(
      databaseServiceSpec({
        project: 'green',
        service: 'weight-db',
        release: 'v0.3.0',
        buildId: 12,
        commit: 'abc',
        imageId: 'sha256:4567',
        network: 'green-prod',
        env: { MARIADB_DATABASE: 'weight' },
        nodeId: 'node1',
        volume: { source: 'green-production-weight-db-data', target: '/var/lib/mysql' },
        labels: { 'greenci.project': 'green' },
      }),
    ).toEqual({
      Name: 'green-prod-weight-db',
      Labels: { 'greenci.project': 'green' },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'sha256:4567',
          Labels: { 'greenci.project': 'green' },
          Env: ['MARIADB_DATABASE=weight'],
          Init: true,
          Mounts: [{ Type: 'volume', Source: 'green-production-weight-db-data', Target: '/var/lib/mysql' }],
          StopGracePeriod: 60 * S,
        },
        Networks: [{ Target: 'green-prod', Aliases: ['weight-db'] }],
        Placement: { Constraints: ['node.id==node1'] },
        RestartPolicy: { Condition: 'any', MaxAttempts: 0, Delay: 5 * S },
      },
      Mode: { Replicated: { Replicas: 1 } },
      UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'pause', Monitor: 5 * S },
      EndpointSpec: { Mode: 'dnsrr' },
    });
  });

  it('service names stay within 63 characters and Swarm’s alphabet', () => {
    expect(appServiceName('green', 'web', 'v1.2.3-rc.1')).toBe('green-prod-web-v1-2-3-rc-1');
    const long = appServiceName('p'.repeat(40), 'a'.repeat(30), 'v1.0.0');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toMatch(/-$/);
  });
});

const task = (
  o: Partial<SwarmTask> & { state: string; desired?: string; err?: string; slot?: number; node?: string; exit?: number },
): SwarmTask => ({
  ID: `task${o.slot ?? 1}xxxxxxxxxxxx`,
  ServiceID: 'svc',
  Slot: o.slot ?? 1,
  NodeID: o.node,
  DesiredState: o.desired ?? 'running',
  Status: { State: o.state, ...(o.err ? { Err: o.err } : {}), ...(o.exit !== undefined ? { ContainerStatus: { ExitCode: o.exit } } : {}) },
});
const names = (id: string) => ({ n1: 'node-a', n2: 'node-b' })[id] ?? id;

describe("a new service's tasks, as greenci waits on them", () => {
  it('starting until every replica runs (healthy), saying how far the others got', () => {
    expect(taskVerdict([], 2)).toEqual({ kind: 'starting', running: 0, desired: 2, waiting: '2 not created yet' });
    expect(
      taskVerdict([task({ state: 'running', slot: 1 }), task({ state: 'starting', slot: 2 }), task({ state: 'preparing', slot: 3 })], 3),
    ).toEqual({
      kind: 'starting',
      running: 1,
      desired: 3,
      waiting: '2 preparing/starting',
    });
    expect(
      taskVerdict(
        [
          task({ state: 'running', slot: 1 }),
          task({ state: 'running', slot: 2 }),
          task({ state: 'shutdown', desired: 'shutdown', slot: 3 }),
        ],
        2,
      ),
    ).toEqual({
      kind: 'ready',
      running: 2,
    });
  });

  it("fails at the first task that fails, exits, loses its node or cannot be placed, in Swarm's own words", () => {
    expect(
      taskVerdict(
        [task({ state: 'running', slot: 1 }), task({ state: 'failed', slot: 2, node: 'n2', err: 'task: non-zero exit (1)', exit: 1 })],
        2,
        names,
      ),
    ).toEqual({
      kind: 'failed',
      reason: 'task 2 on node-b failed: task: non-zero exit (1)',
    });
    expect(taskVerdict([task({ state: 'rejected', node: 'n1', err: 'No such image: sha256:0123' })], 1, names)).toEqual({
      kind: 'failed',
      reason: 'task 1 on node-a rejected: No such image: sha256:0123',
    });
    expect(taskVerdict([task({ state: 'complete', node: 'n1', exit: 0 })], 1, names)).toEqual({
      kind: 'failed',
      reason: 'task 1 on node-a exited: complete',
    });
    expect(taskVerdict([task({ state: 'orphaned', node: 'n2' })], 1, names).kind).toBe('failed');
    expect(taskVerdict([task({ state: 'pending', err: 'no suitable node (scheduling constraints not satisfied on 1 node)' })], 1)).toEqual({
      kind: 'failed',
      reason: 'cannot place task 1: no suitable node (scheduling constraints not satisfied on 1 node)',
    });
    // pending for another reason (resources being freed) is still waiting
    expect(taskVerdict([task({ state: 'pending' })], 1).kind).toBe('starting');
  });
});

describe("an in-place update's status", () => {
  it('completed (or none) is done; Swarm pausing or rolling back is a failure, never a success', () => {
    expect(updateVerdict(undefined)).toEqual({ kind: 'done' });
    expect(updateVerdict({ State: 'completed', Message: 'update completed' })).toEqual({ kind: 'done' });
    expect(updateVerdict({ State: 'updating' })).toEqual({ kind: 'updating' });
    expect(updateVerdict({ State: 'paused', Message: 'update paused due to failure or early termination of task x' })).toEqual({
      kind: 'failed',
      reason: 'Swarm paused the update: update paused due to failure or early termination of task x',
    });
    expect(updateVerdict({ State: 'rollback_completed', Message: 'rollback completed' })).toEqual({
      kind: 'failed',
      reason: 'Swarm rolled the update back: rollback completed',
    });
    expect(updateVerdict({ State: 'rollback_started' }).kind).toBe('failed');
    expect(updateVerdict({ State: 'rollback_paused' }).kind).toBe('failed');
  });
});

describe("the monitor's word on a production on Swarm", () => {
  const names = (id: string) => ({ n1: 'node-a', n2: 'node-b' })[id] ?? id;
  const t = (
    id: string,
    state: string,
    o: { desired?: string; node?: string; err?: string; at?: string; slot?: number } = {},
  ): SwarmTask => ({
    ID: id,
    ServiceID: 'svc',
    Slot: o.slot,
    NodeID: o.node,
    DesiredState: o.desired ?? 'running',
    Status: { State: state, Timestamp: o.at, ...(o.err ? { Err: o.err } : {}) },
  });

  it('a service with every task running is healthy; fewer running says where the last one went and why', () => {
    expect(serviceTasksVerdict([t('1', 'running'), t('2', 'running')], 2, names, new Set())).toEqual({ ok: true });
    expect(
      serviceTasksVerdict(
        [
          t('1', 'running', { node: 'n1', slot: 1 }),
          t('2', 'orphaned', { node: 'n2', slot: 2, desired: 'shutdown', err: 'node is down', at: '2026-11-29T04:00:02Z' }),
          t('3', 'failed', { node: 'n2', slot: 2, desired: 'shutdown', err: 'task: non-zero exit (1)', at: '2026-11-29T04:00:01Z' }),
        ],
        2,
        names,
        new Set(['3']),
      ),
    ).toEqual({ ok: false, detail: '1 of 2 tasks running; last: task 2 on node-b orphaned: node is down' });
    // a task Swarm is starting in place of nothing that failed: no verdict yet
    expect(serviceTasksVerdict([t('1', 'running'), t('2', 'preparing')], 2, names, new Set())).toEqual({
      ok: undefined,
      detail: '1 of 2 tasks running, 1 starting',
    });
  });

  it('tasks that failed since the last look count once, though Swarm replaced them', () => {
    const tasks = [t('1', 'running'), t('2', 'running'), t('3', 'failed', { desired: 'shutdown', err: 'task: non-zero exit (137)' })];
    expect(serviceTasksVerdict(tasks, 2, names, new Set())).toEqual({
      ok: false,
      detail: '1 task failed since the last check; Swarm started another',
    });
    expect(serviceTasksVerdict(tasks, 2, names, new Set(failedTaskIds(tasks)))).toEqual({ ok: true });
    // the first look (nothing known before) does not count old failures
    expect(serviceTasksVerdict(tasks, 2, names, undefined)).toEqual({ ok: true });
  });

  it('a node down is a failure; one an operator drained is said, not alerted', () => {
    const node = { id: 'n2', hostname: 'node-b', role: 'worker' as const, state: 'ready', availability: 'active' as const };
    expect(nodeVerdict(node)).toEqual({ ok: true });
    expect(nodeVerdict({ ...node, state: 'down' })).toEqual({ ok: false, detail: 'node-b (worker) is down' });
    expect(nodeVerdict({ ...node, availability: 'drain' })).toEqual({ ok: true, detail: 'node-b is set to drain: it takes no new tasks' });
  });
});
