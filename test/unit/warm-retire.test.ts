import { describe, expect, it } from 'vitest';
import { type ProxyRoutes, stampWarm, warmSince, withoutRelease } from '../../engine/proxy/routes.js';

const routes = (
  a: { release: string; weight: number; warmSince?: number },
  b?: { release: string; weight: number; warmSince?: number },
): ProxyRoutes => ({
  project: 'green',
  bind: '127.0.0.1',
  apps: [
    {
      app: 'billing',
      listen: 8001,
      health: '/health',
      slots: { a: { addr: '172.18.0.2', port: 8080, ...a }, ...(b ? { b: { addr: '172.18.0.3', port: 8080, ...b } } : {}) },
    },
  ],
});

describe('keeping the previous release warm, then retiring it', () => {
  it('a release that stops taking requests is stamped warm now; one already warm keeps its stamp; a serving one has none', () => {
    const before = routes({ release: 'v1', weight: 100 });
    const switched = stampWarm(before, routes({ release: 'v1', weight: 0 }, { release: 'v2', weight: 100 }), 1000);
    expect(switched.apps[0].slots).toEqual({
      a: { release: 'v1', addr: '172.18.0.2', port: 8080, weight: 0, warmSince: 1000 },
      b: { release: 'v2', addr: '172.18.0.3', port: 8080, weight: 100 },
    });
    const again = stampWarm(switched, routes({ release: 'v1', weight: 0 }, { release: 'v2', weight: 100 }), 5000);
    expect(again.apps[0].slots.a?.warmSince).toBe(1000);
    // switched back: v1 serves again and loses its stamp, v2 is warm from now
    const back = stampWarm(again, routes({ release: 'v1', weight: 100 }, { release: 'v2', weight: 0 }), 7000);
    expect(back.apps[0].slots).toEqual({
      a: { release: 'v1', addr: '172.18.0.2', port: 8080, weight: 100 },
      b: { release: 'v2', addr: '172.18.0.3', port: 8080, weight: 0, warmSince: 7000 },
    });
  });

  it('only releases warm since before the cutoff are due; the serving one never is', () => {
    const r = routes({ release: 'v1', weight: 0, warmSince: 1000 }, { release: 'v2', weight: 100 });
    expect(warmSince(r, 999)).toEqual([]);
    expect(warmSince(r, 1001)).toEqual(['v1']);
    expect(warmSince(routes({ release: 'v1', weight: 100 }), 10_000)).toEqual([]);
  });

  it('retiring a release parks its slots and leaves the serving one as it is', () => {
    const r = withoutRelease(routes({ release: 'v1', weight: 0, warmSince: 1 }, { release: 'v2', weight: 100 }), 'v1');
    expect(r.apps[0].slots).toEqual({ b: { release: 'v2', addr: '172.18.0.3', port: 8080, weight: 100 } });
  });
});
