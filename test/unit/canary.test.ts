import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../engine/errors.js';
import type { ProxyRoutes } from '../../engine/proxy/routes.js';
import type { ServerStat } from '../../engine/proxy/runtime-api.js';
import type { ProjectSpec } from '../../config/project-spec.js';
import { canaryProblem, countersOf, MIN_CANARY_REQUESTS, since, withCanary } from '../../engine/release/canary.js';
import { type CanaryDecision, CanaryControl } from '../../engine/release/canary-control.js';

/** A canary of v1.5.0 in slot b beside v1.4.0 in a, for billing and weight; reports is new in v1.5.0. */
const routes: ProxyRoutes = {
  project: 'green',
  bind: '127.0.0.1',
  apps: [
    {
      app: 'billing',
      listen: 8001,
      health: '/health',
      slots: {
        a: { release: 'v1.4.0', addr: '172.20.0.3', port: 8080, weight: 90 },
        b: { release: 'v1.5.0', addr: '172.21.0.3', port: 8080, weight: 10 },
      },
    },
    {
      app: 'weight',
      listen: 8002,
      health: '/health',
      slots: {
        a: { release: 'v1.4.0', addr: '172.20.0.4', port: 8080, weight: 90 },
        b: { release: 'v1.5.0', addr: '172.21.0.4', port: 8080, weight: 10 },
      },
    },
    { app: 'reports', listen: 8003, health: '/health', slots: { b: { release: 'v1.5.0', addr: '172.21.0.5', port: 3000, weight: 10 } } },
  ],
};
const stat = (backend: string, server: string, requests: number, errors5xx: number): ServerStat => ({
  backend,
  server,
  status: 'no check',
  weight: 0,
  requests,
  errors5xx,
  currentSessions: 0,
});
const stats: ServerStat[] = [
  stat('billing', 'a', 900, 3),
  stat('billing', 'b', 100, 7),
  stat('weight', 'a', 450, 0),
  stat('weight', 'b', 50, 2),
  stat('reports', 'a', 0, 0),
  stat('reports', 'b', 30, 1),
  // a backend the routes do not name is never counted
  stat('legacy', 'a', 1000, 1000),
];

describe('countersOf', () => {
  it("a release's counters add up every app's slot it fills", () => {
    expect(countersOf(stats, routes, 'v1.5.0')).toEqual({ requests: 180, errors5xx: 10 });
    expect(countersOf(stats, routes, 'v1.4.0')).toEqual({ requests: 1350, errors5xx: 3 });
  });

  it('a release in no slot, or a slot the proxy does not report, counts nothing', () => {
    expect(countersOf(stats, routes, 'v1.3.0')).toEqual({ requests: 0, errors5xx: 0 });
    expect(countersOf([], routes, 'v1.5.0')).toEqual({ requests: 0, errors5xx: 0 });
    expect(countersOf([stat('weight', 'b', 50, 2)], routes, 'v1.5.0')).toEqual({ requests: 50, errors5xx: 2 });
  });
});

describe('since', () => {
  it('what was counted since the canary began', () => {
    expect(since({ requests: 180, errors5xx: 10 }, { requests: 100, errors5xx: 4 })).toEqual({ requests: 80, errors5xx: 6 });
    expect(since({ requests: 100, errors5xx: 4 }, { requests: 100, errors5xx: 4 })).toEqual({ requests: 0, errors5xx: 0 });
  });

  it('after a proxy restart its counters start from zero again: all of them count', () => {
    expect(since({ requests: 15, errors5xx: 1 }, { requests: 100, errors5xx: 4 })).toEqual({ requests: 15, errors5xx: 1 });
  });
});

describe('canaryProblem', () => {
  it(`says nothing before ${MIN_CANARY_REQUESTS} canary requests, even when all failed`, () => {
    expect(MIN_CANARY_REQUESTS).toBe(20);
    expect(canaryProblem({ requests: 19, errors5xx: 19 }, { requests: 1000, errors5xx: 0 })).toBeUndefined();
    expect(canaryProblem({ requests: 0, errors5xx: 0 }, { requests: 0, errors5xx: 0 })).toBeUndefined();
  });

  it('10 % 5xx against 0 % on the live release fails the canary', () => {
    expect(canaryProblem({ requests: 100, errors5xx: 10 }, { requests: 900, errors5xx: 0 })).toBe(
      'its 5xx rate is 10.0% (10 of 100) against 0.0% for the live release',
    );
    expect(canaryProblem({ requests: 20, errors5xx: 2 }, { requests: 180, errors5xx: 0 })).toBe(
      'its 5xx rate is 10.0% (2 of 20) against 0.0% for the live release',
    );
  });

  it('a live release without requests in the window is shown as n/a', () => {
    expect(canaryProblem({ requests: 30, errors5xx: 3 }, { requests: 0, errors5xx: 0 })).toBe(
      'its 5xx rate is 10.0% (3 of 30) against n/a for the live release',
    );
  });

  it('6 % against 5 % is not twice the live rate: it holds up', () => {
    expect(canaryProblem({ requests: 100, errors5xx: 6 }, { requests: 1000, errors5xx: 50 })).toBeUndefined();
    expect(canaryProblem({ requests: 100, errors5xx: 6 }, { requests: 1000, errors5xx: 20 })).toBe(
      'its 5xx rate is 6.0% (6 of 100) against 2.0% for the live release',
    );
  });

  it('at or under 5 % it holds up, whatever the live release does', () => {
    expect(canaryProblem({ requests: 100, errors5xx: 4 }, { requests: 900, errors5xx: 0 })).toBeUndefined();
    expect(canaryProblem({ requests: 100, errors5xx: 5 }, { requests: 900, errors5xx: 0 })).toBeUndefined();
  });
});

describe('CanaryControl', () => {
  const promote: CanaryDecision = { decision: 'promote', by: 'alice' };

  it("an operator's decision resolves the running canary's `decided` and names its version", async () => {
    const control = new CanaryControl();
    const c = control.begin('green', 'v1.5.0');
    expect(control.decide('green', promote)).toBe('v1.5.0');
    await expect(c.decided).resolves.toEqual({ decision: 'promote', by: 'alice' });
  });

  it('after the canary ended, or for a project without one, deciding is NotFoundError', () => {
    const control = new CanaryControl();
    const c = control.begin('green', 'v1.5.0');
    c.end();
    expect(() => control.decide('green', promote)).toThrow(NotFoundError);
    expect(() => control.decide('green', promote)).toThrow('no canary of green is running in this greenci process');
    expect(() => control.decide('shop', { decision: 'abort', by: 'bob' })).toThrow('no canary of shop is running in this greenci process');
  });

  it('a second canary of the project replaces the first: the decision goes to it, and the first one ending leaves it running', async () => {
    const control = new CanaryControl();
    const first = control.begin('green', 'v1.5.0');
    const second = control.begin('green', 'v1.6.0');
    first.end();
    expect(control.decide('green', { decision: 'abort', by: 'bob' })).toBe('v1.6.0');
    await expect(second.decided).resolves.toEqual({ decision: 'abort', by: 'bob' });
    const pending = Symbol('pending');
    await expect(Promise.race([first.decided, Promise.resolve(pending)])).resolves.toBe(pending);
    second.end();
    expect(() => control.decide('green', promote)).toThrow(NotFoundError);
  });

  it('canaries of different projects are decided apart', async () => {
    const control = new CanaryControl();
    const green = control.begin('green', 'v1.5.0');
    const shop = control.begin('shop', 'v3.0.0');
    expect(control.decide('shop', { decision: 'abort', by: 'bob' })).toBe('v3.0.0');
    await expect(shop.decided).resolves.toEqual({ decision: 'abort', by: 'bob' });
    expect(control.decide('green', promote)).toBe('v1.5.0');
    await expect(green.decided).resolves.toEqual(promote);
  });
});

describe("an operator's canary (greenci release --canary)", () => {
  const spec = {
    services: [],
    tests: [],
    environments: {
      test: { bind: '127.0.0.1', ports: {}, env: {}, restart: 'no', healthTimeoutMs: 60_000 },
      production: {
        bind: '127.0.0.1',
        ports: { billing: 8001 },
        env: {},
        restart: 'unless-stopped',
        healthTimeoutMs: 60_000,
        release: { verifyMs: 5_000, keepWarmMs: 60_000, warm: 'stopped' },
      },
    },
  } as ProjectSpec;

  it("replaces greenci.yml's canary and keeps the rest of its release policy", () => {
    expect(withCanary(spec, { weight: 10, forMs: 300_000 }).environments.production.release).toEqual({
      verifyMs: 5_000,
      keepWarmMs: 60_000,
      warm: 'stopped',
      canary: { weight: 10, forMs: 300_000 },
    });
    // the spec it was given is left as it was
    expect(spec.environments.production.release?.canary).toBeUndefined();
  });

  it('refuses a weight outside 1..99 or a canary shorter than a second', () => {
    expect(() => withCanary(spec, { weight: 0, forMs: 60_000 })).toThrow("a canary's weight is a whole percent from 1 to 99, not 0");
    expect(() => withCanary(spec, { weight: 100, forMs: 60_000 })).toThrow(/not 100/);
    expect(() => withCanary(spec, { weight: 10, forMs: 10 })).toThrow('a canary lasts at least 1 s, not 10 ms');
  });
});
