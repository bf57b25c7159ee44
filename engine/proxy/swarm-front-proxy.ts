import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LABEL } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import type { ContainerSpec } from '../docker/types.js';
import { ProxyError } from '../errors.js';
import { sleep } from '../time.js';
import { writeAtomic } from './write-atomic.js';
import { ADMIN_SOCKET, PROXY_DIR_IN_CONTAINER } from './haproxy-config.js';
import { SLOTS } from './routes.js';
import { RuntimeApi } from './runtime-api.js';
import { renderSwarmHaproxyConfig, resolvedInSlot, resolvedServers, type SwarmRoutes, swarmRuntimeCommands } from './swarm-haproxy.js';

export const swarmProxyName = (project: string): string => `${project}-production-proxy`;
/** The bridge network the proxy's ports are published from (the swarm engine has no default bridge). */
export const proxyPublishNetwork = (project: string): string => `${project}-production-proxy-ports`;

/**
 * The proxy's container on the swarm manager's engine: a plain container (not a service: it binds
 * production's ports on this host, and greenci talks to its admin socket in greenci's data dir) on
 * a bridge network that publishes its ports, connected to the overlay where the releases' tasks are.
 */
export function swarmProxyContainerSpec(project: string, image: string, hostDir: string, routes: SwarmRoutes): ContainerSpec {
  const ports = routes.apps.map((a) => `${a.listen}/tcp`);
  return {
    name: swarmProxyName(project),
    Image: image,
    Cmd: ['-W', '-db', '-f', `${PROXY_DIR_IN_CONTAINER}/haproxy.cfg`],
    Labels: { [LABEL.project]: project, [LABEL.env]: 'production', [LABEL.role]: 'proxy', [LABEL.service]: 'proxy' },
    ExposedPorts: Object.fromEntries(ports.map((p) => [p, {}])),
    HostConfig: {
      NetworkMode: proxyPublishNetwork(project),
      PortBindings: Object.fromEntries(ports.map((p) => [p, [{ HostIp: routes.bind, HostPort: p.split('/')[0] }]])),
      RestartPolicy: { Name: 'unless-stopped' },
      Mounts: [{ Type: 'bind', Source: hostDir, Target: PROXY_DIR_IN_CONTAINER }],
      Memory: 256 * 1024 * 1024,
    },
  };
}

/**
 * A project's front proxy when production runs on Docker Swarm. greenci writes the whole config
 * before every change (a restarted proxy serves what was last switched to) and switches at runtime:
 * the idle slot is pointed at the new release's service, greenci waits until HAProxy resolved as
 * many of its tasks as the service runs, then moves the weight. No reload, no dropped request.
 */
export class SwarmFrontProxy {
  readonly dir: string;
  readonly api: RuntimeApi;

  constructor(
    /** The swarm manager's engine (where the proxy container runs). */
    private readonly docker: DockerPort,
    dataDir: string,
    readonly project: string,
    private readonly overlay: string,
  ) {
    this.dir = path.resolve(dataDir, 'proxy', project);
    this.api = new RuntimeApi(path.join(this.dir, ADMIN_SOCKET));
  }

  async routes(): Promise<SwarmRoutes | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, 'swarm-routes.json'), 'utf8')) as SwarmRoutes;
    } catch {
      return undefined;
    }
  }

  /**
   * Brings the proxy to `next`: the config first, then the container started when it is not
   * running (it reads the config), else the runtime switch. `replicas`: per app and release, how
   * many tasks its service runs (what "resolved" means for its slot).
   */
  async apply(next: SwarmRoutes, image: string, replicas: (app: string, release: string) => number, timeoutMs = 30_000): Promise<void> {
    const before = await this.routes();
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    await writeAtomic(path.join(this.dir, 'haproxy.cfg'), renderSwarmHaproxyConfig(next));
    const running = (await this.container())?.running && (await this.api.ping());
    if (!running) {
      await this.start(next, image);
      await this.waitResolved(next, replicas, timeoutMs);
    } else {
      const { point, weigh } = swarmRuntimeCommands(before, next);
      await this.api.apply(point);
      await this.waitResolved(next, replicas, timeoutMs);
      await this.api.apply(weigh);
    }
    await writeAtomic(path.join(this.dir, 'swarm-routes.json'), `${JSON.stringify(next, null, 2)}\n`);
  }

  /** Every slot that takes requests has as many servers addressed as its release runs tasks. */
  private async waitResolved(routes: SwarmRoutes, replicas: (app: string, release: string) => number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing: string[] = [];
      for (const a of routes.apps) {
        const resolved = resolvedServers(await this.api.send(`show servers state ${a.app}`));
        for (const slot of SLOTS) {
          const r = a.slots[slot];
          if (!r || r.weight === 0) continue;
          const want = Math.min(replicas(a.app, r.release), routes.maxReplicas);
          const have = resolvedInSlot(resolved, slot, routes.maxReplicas);
          if (have < want) missing.push(`${a.app} ${r.release}: ${have} of ${want} tasks resolved`);
        }
      }
      if (!missing.length) return;
      if (Date.now() > deadline) throw new ProxyError(`front proxy: ${missing.join('; ')} after ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }

  async container(): Promise<{ id: string; running: boolean } | undefined> {
    const found = await this.docker.listContainers([`${LABEL.project}=${this.project}`, `${LABEL.role}=proxy`]);
    const c = found[0];
    return c ? { id: c.Id, running: c.State === 'running' } : undefined;
  }

  private async start(routes: SwarmRoutes, image: string): Promise<void> {
    const c = await this.container();
    if (c) await this.docker.removeContainer(c.id);
    await this.docker.ensureNetwork(proxyPublishNetwork(this.project), { [LABEL.project]: this.project, [LABEL.env]: 'production' });
    const id = await this.docker.createContainer(swarmProxyContainerSpec(this.project, image, this.dir, routes));
    await this.docker.connectNetwork(this.overlay, id);
    await this.docker.startContainer(id);
    const deadline = Date.now() + 15_000;
    while (!(await this.api.ping())) {
      if (Date.now() > deadline) throw new ProxyError(`the front proxy did not answer on ${this.api.socketPath} within 15 s`);
      await sleep(50);
    }
  }

  async remove(): Promise<void> {
    const c = await this.container();
    if (c) await this.docker.removeContainer(c.id);
  }
}
