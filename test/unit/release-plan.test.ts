import { describe, expect, it } from 'vitest';
import type { EnvironmentSpec, ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import type { ProxyRoutes } from '../../engine/proxy/routes.js';
import { type PresentRelease, planSwitch, type RouteRelease, routesFor, slotOf } from '../../engine/release/plan.js';

const warm = (release: string, slot: 'a' | 'b', running = true): PresentRelease => ({ release, slot, complete: true, running });

describe('planSwitch', () => {
  it('the first release starts in slot a', () => {
    expect(planSwitch('v1.0.0', undefined, [])).toEqual({ slot: 'a', ready: 'start', retire: [] });
  });

  it('a new release starts in the slot the live one does not hold', () => {
    expect(planSwitch('v1.1.0', { release: 'v1.0.0', slot: 'a' }, [warm('v1.0.0', 'a')])).toEqual({
      slot: 'b',
      ready: 'start',
      retire: [],
    });
    expect(planSwitch('v1.2.0', { release: 'v1.1.0', slot: 'b' }, [warm('v1.1.0', 'b')])).toEqual({
      slot: 'a',
      ready: 'start',
      retire: [],
    });
  });

  it('the target warm and running in the other slot is only switched to (a rollback)', () => {
    expect(planSwitch('v1.0.0', { release: 'v1.1.0', slot: 'b' }, [warm('v1.0.0', 'a'), warm('v1.1.0', 'b')])).toEqual({
      slot: 'a',
      ready: 'warm',
      retire: [],
    });
  });

  it('the target kept stopped in the other slot is resumed there', () => {
    expect(planSwitch('v1.0.0', { release: 'v1.1.0', slot: 'b' }, [warm('v1.0.0', 'a', false), warm('v1.1.0', 'b')])).toEqual({
      slot: 'a',
      ready: 'resume',
      retire: [],
    });
  });

  it('a third release present (neither live nor the target) is retired first', () => {
    expect(planSwitch('v1.2.0', { release: 'v1.1.0', slot: 'b' }, [warm('v1.0.0', 'a'), warm('v1.1.0', 'b')])).toEqual({
      slot: 'a',
      ready: 'start',
      retire: ['v1.0.0'],
    });
  });

  it('a target left incomplete is retired and started afresh in the slot the live one does not hold', () => {
    const present: PresentRelease[] = [warm('v1.0.0', 'a'), { release: 'v1.1.0', slot: 'b', complete: false, running: false }];
    expect(planSwitch('v1.1.0', { release: 'v1.0.0', slot: 'a' }, present)).toEqual({ slot: 'b', ready: 'start', retire: ['v1.1.0'] });
    // also with nothing live: an interrupted first attempt left it in b, it starts again in a
    expect(planSwitch('v1.1.0', undefined, [{ release: 'v1.1.0', slot: 'b', complete: false, running: true }])).toEqual({
      slot: 'a',
      ready: 'start',
      retire: ['v1.1.0'],
    });
  });

  it('leftovers of earlier releases go first, and the incomplete target after them', () => {
    const present: PresentRelease[] = [
      warm('v0.9.0', 'a', false),
      { release: 'v1.1.0', slot: 'a', complete: false, running: false },
      warm('v1.0.0', 'b'),
    ];
    expect(planSwitch('v1.1.0', { release: 'v1.0.0', slot: 'b' }, present)).toEqual({
      slot: 'a',
      ready: 'start',
      retire: ['v0.9.0', 'v1.1.0'],
    });
  });
});

const app = (name: string, health?: string): ServiceSpec => ({ name, kind: 'app', port: 8080, health, env: {}, dependsOn: [] });
const production: EnvironmentSpec = {
  bind: '127.0.0.1',
  ports: { billing: 8001, weight: 8002 },
  env: {},
  restart: 'unless-stopped',
  healthTimeoutMs: 60_000,
};
const spec: ProjectSpec = {
  services: [
    { name: 'billing-db', kind: 'service', image: 'greenci-demo-db:local', env: {}, dependsOn: [], volume: '/data' },
    app('billing', '/health'),
    app('weight', '/ready'),
    // no production port: no front door, no route
    app('worker'),
    app('admin'),
  ],
  tests: [],
  environments: {
    test: { bind: '127.0.0.1', ports: {}, env: {}, restart: 'no', healthTimeoutMs: 30_000 },
    production: { ...production, ports: { ...production.ports, admin: 8009 } },
  },
};
const v2: RouteRelease = {
  release: 'v1.1.0',
  slot: 'b',
  apps: [
    { app: 'billing', addr: '172.21.0.3', port: 8080 },
    { app: 'weight', addr: '172.21.0.4', port: 8080 },
    { app: 'worker', addr: '172.21.0.5', port: 8080 },
    { app: 'admin', addr: '172.21.0.6', port: 8080 },
  ],
};
const v1: RouteRelease = {
  release: 'v1.0.0',
  slot: 'a',
  apps: [
    { app: 'billing', addr: '172.20.0.3', port: 8080 },
    { app: 'weight', addr: '172.20.0.4', port: 8080 },
    { app: 'worker', addr: '172.20.0.5', port: 8080 },
  ],
};

describe('routesFor', () => {
  it('a switch: the release takes every request, the previous one stays in its slot at 0; an app new in the release has one slot', () => {
    expect(routesFor('green', spec, v2, v1)).toEqual({
      project: 'green',
      bind: '127.0.0.1',
      apps: [
        {
          app: 'billing',
          listen: 8001,
          health: '/health',
          slots: {
            b: { release: 'v1.1.0', addr: '172.21.0.3', port: 8080, weight: 100 },
            a: { release: 'v1.0.0', addr: '172.20.0.3', port: 8080, weight: 0 },
          },
        },
        {
          app: 'weight',
          listen: 8002,
          health: '/ready',
          slots: {
            b: { release: 'v1.1.0', addr: '172.21.0.4', port: 8080, weight: 100 },
            a: { release: 'v1.0.0', addr: '172.20.0.4', port: 8080, weight: 0 },
          },
        },
        {
          app: 'admin',
          listen: 8009,
          health: '/health',
          slots: { b: { release: 'v1.1.0', addr: '172.21.0.6', port: 8080, weight: 100 } },
        },
      ],
    });
  });

  it('a canary at 25 %: the live release keeps 75 %', () => {
    expect(routesFor('green', spec, v2, v1, 25).apps.map((a) => [a.app, a.slots])).toEqual([
      [
        'billing',
        {
          b: { release: 'v1.1.0', addr: '172.21.0.3', port: 8080, weight: 25 },
          a: { release: 'v1.0.0', addr: '172.20.0.3', port: 8080, weight: 75 },
        },
      ],
      [
        'weight',
        {
          b: { release: 'v1.1.0', addr: '172.21.0.4', port: 8080, weight: 25 },
          a: { release: 'v1.0.0', addr: '172.20.0.4', port: 8080, weight: 75 },
        },
      ],
      ['admin', { b: { release: 'v1.1.0', addr: '172.21.0.6', port: 8080, weight: 25 } }],
    ]);
  });

  it('the first release alone; a previous release in the same slot is ignored', () => {
    const alone = routesFor('green', spec, v1);
    const sameSlot = routesFor('green', spec, v1, { ...v2, slot: 'a' });
    const onlyV1 = {
      project: 'green',
      bind: '127.0.0.1',
      apps: [
        {
          app: 'billing',
          listen: 8001,
          health: '/health',
          slots: { a: { release: 'v1.0.0', addr: '172.20.0.3', port: 8080, weight: 100 } },
        },
        { app: 'weight', listen: 8002, health: '/ready', slots: { a: { release: 'v1.0.0', addr: '172.20.0.4', port: 8080, weight: 100 } } },
        // v1.0.0 has no admin: the route is there with both slots empty (parked)
        { app: 'admin', listen: 8009, health: '/health', slots: {} },
      ],
    };
    expect(alone).toEqual(onlyV1);
    expect(sameSlot).toEqual(onlyV1);
  });

  it('a project whose apps have no production port has no routes', () => {
    const noPorts: ProjectSpec = { ...spec, environments: { ...spec.environments, production: { ...production, ports: {} } } };
    expect(routesFor('green', noPorts, v2, v1)).toEqual({ project: 'green', bind: '127.0.0.1', apps: [] });
  });
});

describe('slotOf', () => {
  const routes: ProxyRoutes = routesFor('green', spec, v2, v1);

  it('the slot a release fills in the routes', () => {
    expect(slotOf(routes, 'v1.1.0')).toBe('b');
    expect(slotOf(routes, 'v1.0.0')).toBe('a');
  });

  it('a release not in the routes, or no routes yet, has none', () => {
    expect(slotOf(routes, 'v0.9.0')).toBeUndefined();
    expect(slotOf(undefined, 'v1.0.0')).toBeUndefined();
    expect(slotOf({ project: 'green', bind: '127.0.0.1', apps: [] }, 'v1.0.0')).toBeUndefined();
  });

  it('found through a later app when the first app does not name it', () => {
    const later: ProxyRoutes = {
      project: 'green',
      bind: '127.0.0.1',
      apps: [
        { app: 'billing', listen: 8001, health: '/health', slots: {} },
        { app: 'admin', listen: 8009, health: '/health', slots: { b: { release: 'v1.1.0', addr: '172.21.0.6', port: 8080, weight: 100 } } },
      ],
    };
    expect(slotOf(later, 'v1.1.0')).toBe('b');
  });
});
