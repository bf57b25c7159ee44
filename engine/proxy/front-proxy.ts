import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LABEL } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import { ProxyError } from '../errors.js';
import { portFree } from '../port-free.js';
import { sleep } from '../time.js';
import { writeAtomic } from './write-atomic.js';
import { ADMIN_SOCKET, renderHaproxyConfig } from './haproxy-config.js';
import { ensureProxyImage } from './proxy-image.js';
import { proxyContainerName, proxyContainerSpec } from './proxy-container.js';
import { type Readdress, readdressCommands, readdressed } from './readdress.js';
import { type ProxyRoutes, stampWarm } from './routes.js';
import { runtimeCommands } from './runtime-commands.js';
import { RuntimeApi, type ServerStat } from './runtime-api.js';

/**
 * A project's front proxy: an HAProxy container on the host's network that owns production's
 * ports. greenci writes its whole config before every change (so a restarted proxy serves what
 * was last switched to) and switches it through the runtime API (no reload, no dropped request).
 */
export class FrontProxy {
  readonly dir: string;
  readonly api: RuntimeApi;

  constructor(
    private readonly docker: DockerPort,
    dataDir: string,
    readonly project: string,
  ) {
    this.dir = path.resolve(dataDir, 'proxy', project);
    this.api = new RuntimeApi(path.join(this.dir, ADMIN_SOCKET));
  }

  private get configFile(): string {
    return path.join(this.dir, 'haproxy.cfg');
  }
  private get routesFile(): string {
    return path.join(this.dir, 'routes.json');
  }

  /** The routes last written (what the proxy serves, or will after its next start); undefined before the first release. */
  async routes(): Promise<ProxyRoutes | undefined> {
    try {
      return JSON.parse(await readFile(this.routesFile, 'utf8')) as ProxyRoutes;
    } catch {
      return undefined;
    }
  }

  /** The proxy's container, if it exists. */
  async container(): Promise<{ id: string; running: boolean } | undefined> {
    const found = await this.docker.listContainers([`${LABEL.project}=${this.project}`, `${LABEL.role}=proxy`]);
    const c = found[0];
    return c ? { id: c.Id, running: c.State === 'running' } : undefined;
  }

  /**
   * Ports the routes listen on that another program holds (not this proxy): found before anything
   * in production changes. `ownPorts` are held by greenci's own containers and will be freed.
   */
  async portsTaken(routes: ProxyRoutes, ownPorts: Set<number> = new Set()): Promise<number[]> {
    const current = await this.routes();
    const proxyUp = (await this.container())?.running;
    const mine = new Set(proxyUp ? (current?.apps.map((a) => a.listen) ?? []) : []);
    const taken: number[] = [];
    for (const a of routes.apps) {
      if (mine.has(a.listen) || ownPorts.has(a.listen)) continue;
      if (!(await portFree(routes.bind, a.listen))) taken.push(a.listen);
    }
    return taken;
  }

  /**
   * Brings the proxy to `routes`: writes the config, starts the container when it is not running
   * (or reloads it when the set of ports changed, which the runtime API cannot do), then switches
   * servers at runtime. Resolves once the proxy answers on its admin socket in the new state.
   */
  async apply(next: ProxyRoutes, log: (line: string) => void = () => undefined): Promise<void> {
    const before = await this.routes();
    const routes = stampWarm(before, next, Date.now());
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    await writeAtomic(this.configFile, renderHaproxyConfig(routes));
    await writeAtomic(this.routesFile, `${JSON.stringify(routes, null, 2)}\n`);
    const c = await this.container();
    const samePorts = before !== undefined && listenKey(before) === listenKey(routes);
    if (!c?.running || !(await this.api.ping())) {
      await this.start(log);
      return;
    }
    if (!samePorts) {
      await this.reload(c.id, log);
      return;
    }
    await this.api.apply(runtimeCommands(routes));
  }

  /**
   * Points slots at the addresses their containers have now (Docker started them again elsewhere).
   * The config is written first, so a proxy that restarts comes back right; a running proxy is told
   * through the runtime API (each slot keeps its weight and state); the routes are written last, so
   * when the proxy refused they still say the old address and the next look tries again. A proxy
   * that is not running gets the config only: it starts from it. Returns the routes now.
   */
  async readdress(changes: Readdress[]): Promise<ProxyRoutes | undefined> {
    const before = await this.routes();
    if (!before || !changes.length) return before;
    const routes = readdressed(before, changes);
    await writeAtomic(this.configFile, renderHaproxyConfig(routes));
    if ((await this.container())?.running) await this.api.apply(readdressCommands(changes));
    await writeAtomic(this.routesFile, `${JSON.stringify(routes, null, 2)}\n`);
    return routes;
  }

  /** Starts the proxy container (creating it, and its image, when missing) and waits for its admin socket. */
  async start(log: (line: string) => void = () => undefined): Promise<void> {
    const image = await ensureProxyImage(this.docker, log);
    const c = await this.container();
    if (c && !c.running) await this.docker.removeContainer(c.id);
    if (!c?.running) {
      const id = await this.docker.createContainer(proxyContainerSpec(this.project, image, this.dir));
      await this.docker.startContainer(id);
      log(`front proxy ${proxyContainerName(this.project)} started`);
    } else {
      await this.docker.restartContainer(c.id, 5);
    }
    await this.waitReady();
  }

  /**
   * A new set of ports: HAProxy's master (`-W`) re-reads the config on SIGUSR2 and starts a new
   * worker, handing it the listening sockets it keeps (`expose-fd listeners`); the old worker
   * finishes what it has. No connection is refused or reset, unlike a container restart. When no
   * new worker answers in time (a config the proxy refused), greenci restarts the container.
   */
  private async reload(id: string, log: (line: string) => void): Promise<void> {
    const before = await this.api.workerPid();
    log('front proxy: the set of ports changed, reloading it');
    await this.docker.signalContainer(id, 'SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const pid = await this.api.workerPid();
      if (pid !== undefined && pid !== before) return;
      await sleep(50);
    }
    log('front proxy: no new worker answered after the reload; restarting the container');
    await this.docker.restartContainer(id, 5);
    await this.waitReady();
  }

  private async waitReady(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.api.ping()) return;
      const c = await this.container();
      if (c && !c.running) {
        const logs = await this.docker.containerLogs(c.id, 10);
        throw new ProxyError(`the front proxy exited while starting: ${logs.join(' | ') || 'no output'}`);
      }
      await sleep(50);
    }
    throw new ProxyError(`the front proxy did not answer on ${this.api.socketPath} within ${timeoutMs / 1000} s`);
  }

  /** No release serves any more (production's apps were stopped): every slot parked, the ports kept. */
  async clear(): Promise<void> {
    const routes = await this.routes();
    if (!routes) return;
    await this.apply({ ...routes, apps: routes.apps.map((a) => ({ ...a, slots: {} })) });
  }

  /** The proxy's own counters per server (requests, 5xx). */
  stats(): Promise<ServerStat[]> {
    return this.api.serverStats();
  }

  /** Removes the proxy (production's ports are free afterwards). */
  async remove(): Promise<void> {
    const c = await this.container();
    if (c) await this.docker.removeContainer(c.id);
  }
}

function listenKey(r: ProxyRoutes): string {
  return `${r.bind}|${r.apps
    .map((a) => `${a.app}:${a.listen}`)
    .sort()
    .join(',')}`;
}
