import type { TrafficView } from '../model.js';
import type { FrontProxy } from './front-proxy.js';
import { releaseShares, SLOTS } from './routes.js';

/** Reads a project's front proxy into what every face shows: per app, who takes requests and what the proxy counted. */
export async function trafficView(proxy: FrontProxy): Promise<TrafficView> {
  const routes = await proxy.routes();
  if (!routes) return { project: proxy.project, proxy: 'none', apps: [] };
  const c = await proxy.container();
  const stats = c?.running ? await proxy.stats().catch(() => undefined) : undefined;
  const host = routes.bind.includes(':') ? `[${routes.bind}]` : routes.bind;
  return {
    project: proxy.project,
    proxy: stats ? 'running' : 'down',
    apps: routes.apps.map((a) => ({
      app: a.app,
      listen: `${host}:${a.listen}`,
      shares: releaseShares(a),
      counts: SLOTS.flatMap((slot) => {
        const r = a.slots[slot];
        const st = stats?.find((x) => x.backend === a.app && x.server === slot);
        return r ? [{ release: r.release, requests: st?.requests ?? 0, errors5xx: st?.errors5xx ?? 0 }] : [];
      }),
    })),
  };
}
