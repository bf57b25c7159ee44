import { describe, expect, it } from 'vitest';
import {
  describeReaddress,
  type Readdress,
  readdressCommands,
  readdressed,
  readdressPlan,
  routedReleases,
  type SeenApp,
} from '../../engine/proxy/readdress.js';
import type { ProxyRoutes } from '../../engine/proxy/routes.js';

/** billing and weight: v0.2.0 live in slot b, v0.1.0 warm (drained) in slot a since 1000. */
const routes: ProxyRoutes = {
  project: 'green',
  bind: '127.0.0.1',
  apps: [
    {
      app: 'billing',
      listen: 8001,
      health: '/health',
      slots: {
        a: { release: 'v0.1.0', addr: '172.20.0.3', port: 8080, weight: 0, warmSince: 1000 },
        b: { release: 'v0.2.0', addr: '172.21.0.3', port: 8080, weight: 100 },
      },
    },
    {
      app: 'weight',
      listen: 8002,
      health: '/health',
      slots: {
        a: { release: 'v0.1.0', addr: '172.20.0.2', port: 8080, weight: 0, warmSince: 1000 },
        b: { release: 'v0.2.0', addr: '172.21.0.2', port: 8080, weight: 100 },
      },
    },
  ],
};

/** Docker as the routes have it: every container running where the routes say. */
const asRouted: SeenApp[] = [
  { release: 'v0.1.0', app: 'billing', running: true, addr: '172.20.0.3' },
  { release: 'v0.2.0', app: 'billing', running: true, addr: '172.21.0.3' },
  { release: 'v0.1.0', app: 'weight', running: true, addr: '172.20.0.2' },
  { release: 'v0.2.0', app: 'weight', running: true, addr: '172.21.0.2' },
];
const seen = (changes: Partial<Record<string, Partial<SeenApp>>>): SeenApp[] =>
  asRouted.map((s) => ({ ...s, ...changes[`${s.app} ${s.release}`] }));

describe('readdressPlan: which slots follow their containers to another address', () => {
  it('nothing when every container runs where the routes say', () => {
    expect(readdressPlan(routes, asRouted)).toEqual([]);
  });

  it('the live release started again in the other order (the two apps swapped addresses): both slots follow', () => {
    const swapped = seen({ 'billing v0.2.0': { addr: '172.21.0.2' }, 'weight v0.2.0': { addr: '172.21.0.3' } });
    expect(readdressPlan(routes, swapped)).toEqual([
      { app: 'billing', slot: 'b', release: 'v0.2.0', port: 8080, weight: 100, from: '172.21.0.3', to: '172.21.0.2' },
      { app: 'weight', slot: 'b', release: 'v0.2.0', port: 8080, weight: 100, from: '172.21.0.2', to: '172.21.0.3' },
    ]);
  });

  it('a warm release that runs elsewhere is followed too (a rollback switches to it at once)', () => {
    expect(readdressPlan(routes, seen({ 'billing v0.1.0': { addr: '172.20.0.5' } }))).toEqual([
      { app: 'billing', slot: 'a', release: 'v0.1.0', port: 8080, weight: 0, from: '172.20.0.3', to: '172.20.0.5' },
    ]);
  });

  it('a stopped container (a warm release kept stopped, a live app down) keeps its route: it has no address to follow', () => {
    const stopped = seen({
      'billing v0.1.0': { running: false, addr: undefined },
      'weight v0.1.0': { running: false, addr: undefined },
      'weight v0.2.0': { running: false, addr: undefined },
    });
    expect(readdressPlan(routes, stopped)).toEqual([]);
  });

  it('a running container without an address on its release network, or gone, keeps its route', () => {
    const odd = asRouted.filter((s) => s.app !== 'weight').map((s) => (s.release === 'v0.2.0' ? { ...s, addr: undefined } : s));
    expect(readdressPlan(routes, odd)).toEqual([]);
  });

  it('a container of a release the routes do not name changes nothing; empty and parked slots have nothing to follow', () => {
    const parked: ProxyRoutes = { ...routes, apps: [{ ...routes.apps[0], slots: { b: routes.apps[0].slots.b } }] };
    expect(readdressPlan(parked, [...asRouted, { release: 'v0.3.0', app: 'billing', running: true, addr: '172.22.0.2' }])).toEqual([]);
  });

  it('a canary slot keeps its share in the change (the share is said in the audit line)', () => {
    const canary: ProxyRoutes = {
      ...routes,
      apps: [
        {
          ...routes.apps[0],
          slots: {
            a: { release: 'v0.1.0', addr: '172.20.0.3', port: 8080, weight: 90 },
            b: { release: 'v0.2.0', addr: '172.21.0.3', port: 8081, weight: 10 },
          },
        },
      ],
    };
    const changes = readdressPlan(canary, seen({ 'billing v0.2.0': { addr: '172.21.0.4' } }));
    expect(changes).toEqual([
      { app: 'billing', slot: 'b', release: 'v0.2.0', port: 8081, weight: 10, from: '172.21.0.3', to: '172.21.0.4' },
    ]);
    expect(describeReaddress(changes)).toBe('billing v0.2.0 (slot b, 10%): 172.21.0.3 → 172.21.0.4');
  });
});

describe('applying a readdress', () => {
  const changes: Readdress[] = [
    { app: 'billing', slot: 'b', release: 'v0.2.0', port: 8080, weight: 100, from: '172.21.0.3', to: '172.21.0.2' },
    { app: 'weight', slot: 'a', release: 'v0.1.0', port: 8080, weight: 0, from: '172.20.0.2', to: '172.20.0.7' },
  ];

  it('the routes change only the moved slots’ addresses: weights and warm stamps stay', () => {
    expect(readdressed(routes, changes)).toEqual({
      project: 'green',
      bind: '127.0.0.1',
      apps: [
        {
          app: 'billing',
          listen: 8001,
          health: '/health',
          slots: {
            a: { release: 'v0.1.0', addr: '172.20.0.3', port: 8080, weight: 0, warmSince: 1000 },
            b: { release: 'v0.2.0', addr: '172.21.0.2', port: 8080, weight: 100 },
          },
        },
        {
          app: 'weight',
          listen: 8002,
          health: '/health',
          slots: {
            a: { release: 'v0.1.0', addr: '172.20.0.7', port: 8080, weight: 0, warmSince: 1000 },
            b: { release: 'v0.2.0', addr: '172.21.0.2', port: 8080, weight: 100 },
          },
        },
      ],
    });
  });

  it('a change for a slot another release fills now (a switch came between the look and the change) is not applied', () => {
    const stale: Readdress = {
      app: 'billing',
      slot: 'b',
      release: 'v0.1.0',
      port: 8080,
      weight: 100,
      from: '172.21.0.3',
      to: '172.21.0.9',
    };
    expect(readdressed(routes, [stale])).toEqual(routes);
  });

  it('the runtime API is told the address only (HAProxy keeps the slot’s weight and ready or drain state)', () => {
    expect(readdressCommands(changes)).toEqual([
      'set server billing/b addr 172.21.0.2 port 8080',
      'set server weight/a addr 172.20.0.7 port 8080',
    ]);
  });

  it('the audit and log line says each move', () => {
    expect(describeReaddress(changes)).toBe(
      'billing v0.2.0 (slot b, live): 172.21.0.3 → 172.21.0.2; weight v0.1.0 (slot a, warm): 172.20.0.2 → 172.20.0.7',
    );
  });

  it('the releases looked at are every one a slot names', () => {
    expect(routedReleases(routes)).toEqual(['v0.1.0', 'v0.2.0']);
  });
});
