import http from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontProxy } from '../../engine/proxy/front-proxy.js';
import type { ProxyRoutes } from '../../engine/proxy/routes.js';
import { docker, freePort, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { startLoad } from '../helpers/http-load.js';
import { tempDir } from '../helpers/origin.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * A change to the set of production ports (an app added to greenci.yml, a port moved) cannot go
 * through HAProxy's runtime API: greenci reloads the proxy in place (its master starts a new worker
 * that takes the listening sockets over) instead of restarting the container. Real HAProxy in its
 * container on the host's network; the backends are HTTP servers on the host's loopback.
 */
describe('front proxy: a new set of ports without a gap', () => {
  const project = uniqueProject('reload');
  const dataDir = tempDir('greenci-reload-');
  const servers: http.Server[] = [];
  let proxy: FrontProxy;
  let backend: { one: number; two: number };
  let listen: { billing: number; weight: number };

  const serve = async (name: string): Promise<number> => {
    const port = await freePort();
    const server = http.createServer((_, res) => res.end(JSON.stringify({ version: name })));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
    return port;
  };
  const route = (app: string, port: number, to: number) => ({
    app,
    listen: port,
    health: '/health',
    slots: { a: { release: 'v0.1.0', addr: '127.0.0.1', port: to, weight: 100 } },
  });
  const routes = (apps: ProxyRoutes['apps']): ProxyRoutes => ({ project, bind: '127.0.0.1', apps });
  const startedAt = async () => {
    const c = await proxy.container();
    return c ? (await docker.inspectContainer(c.id))?.State.StartedAt : undefined;
  };

  beforeAll(async () => {
    backend = { one: await serve('one'), two: await serve('two') };
    listen = { billing: await freePort(), weight: await freePort() };
    proxy = new FrontProxy(docker, dataDir, project);
    await proxy.apply(routes([route('billing', listen.billing, backend.one)]));
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await removeProjectResources(project);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a port while the existing one answers every request, and the container is not restarted', async () => {
    const before = await startedAt();
    const load = startLoad(`http://127.0.0.1:${listen.billing}/`, { clients: 16 });
    await load.waitFor(() => load.count() > 200);
    await proxy.apply(routes([route('billing', listen.billing, backend.one), route('weight', listen.weight, backend.two)]));
    const weight = await waitUntil(async () => {
      try {
        return await (await fetch(`http://127.0.0.1:${listen.weight}/`)).json();
      } catch {
        return undefined;
      }
    }, 'the new port to answer');
    const seen = load.count();
    await load.waitFor(() => load.count() > seen + 200);
    const r = await load.stop();
    expect(weight).toEqual({ version: 'two' });
    expect(r.failures, JSON.stringify(r.failures.slice(0, 5))).toEqual([]);
    expect(r.non200).toBe(0);
    expect(await startedAt()).toBe(before);
  });

  it('drops a port while the other answers every request', async () => {
    const load = startLoad(`http://127.0.0.1:${listen.weight}/`, { clients: 16 });
    await load.waitFor(() => load.count() > 200);
    await proxy.apply(routes([route('weight', listen.weight, backend.two)]));
    await waitUntil(async () => {
      try {
        await fetch(`http://127.0.0.1:${listen.billing}/`);
        return undefined;
      } catch {
        return true; // refused: the proxy no longer listens there
      }
    }, 'the dropped port to refuse connections');
    const seen = load.count();
    await load.waitFor(() => load.count() > seen + 200);
    const r = await load.stop();
    expect(r.failures, JSON.stringify(r.failures.slice(0, 5))).toEqual([]);
    expect(r.non200).toBe(0);
  });
});
