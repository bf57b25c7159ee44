import type { SecretValues } from '../../config/host-secrets.js';
import type { ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import { envLabels, LABEL } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import type { DeployIdentity } from '../docker/specs.js';
import type { ContainerSummary } from '../docker/types.js';
import { BugError, StageError, throwIfAborted } from '../errors.js';
import { startInDependencyOrder } from '../pipeline/deploy.js';
import { waitHttpHealthy } from '../pipeline/health.js';
import type { Slot } from '../proxy/routes.js';
import { addressOn, releaseAppContainerSpec, releaseNetworkName, SLOT_LABEL, sharedNetwork } from './app-container.js';

/** One app container of a release, where the proxy and greenci's checks reach it. */
export interface ReleaseApp {
  app: string;
  containerId: string;
  addr: string;
  port: number;
  health: string;
  slot: Slot;
  running: boolean;
}

/**
 * Production's apps on this Docker host, release by release: start a release's apps beside the
 * live ones and wait until each is healthy (its health path, straight to the container), find
 * them, stop or remove them. It decides nothing; the release flow (release-flow.ts) does.
 */
export class DockerTarget {
  constructor(private readonly docker: DockerPort) {}

  /** Starts a release's apps in dependency order, each waited on until healthy. Throws (leaving them for `removeApps`) when one is not. */
  async startApps(req: {
    id: DeployIdentity;
    spec: ProjectSpec;
    images: Record<string, string>;
    slot: Slot;
    /** The host secrets' values per app (resolved for production). */
    secrets: SecretValues;
    log: (line: string) => void;
    signal?: AbortSignal;
  }): Promise<ReleaseApp[]> {
    const { id, spec } = req;
    const env = spec.environments.production;
    const labels = envLabels(id.project, 'production', id.release);
    const own = releaseNetworkName(id.project, id.release);
    await this.docker.ensureNetwork(sharedNetwork(id.project), envLabels(id.project, 'production', id.release));
    await this.docker.ensureNetwork(own, { ...labels, [LABEL.role]: 'release-network' });
    // a container of this release left by an earlier attempt is replaced
    await this.removeContainers(await this.containersOf(id.project, id.release), 0);

    const apps = spec.services.filter((s) => s.kind === 'app');
    const appNames = new Set(apps.map((a) => a.name));
    const started: ReleaseApp[] = [];
    const startOne = async (app: ServiceSpec): Promise<void> => {
      throwIfAborted(req.signal);
      const image = req.images[app.name];
      if (!image) throw new BugError(`no image for ${app.name}`);
      const t0 = Date.now();
      const cid = await this.docker.createContainer(releaseAppContainerSpec(id, app, image, env, req.slot, req.secrets[app.name]));
      await this.docker.connectNetwork(sharedNetwork(id.project), cid);
      await this.docker.startContainer(cid);
      const info = await this.docker.inspectContainer(cid);
      const addr = addressOn(info?.NetworkSettings.Networks, own);
      if (!addr) throw new StageError(`app ${app.name}: its container has no address on ${own}`);
      const url = `http://${addr}:${app.port}${app.health}`;
      await waitHttpHealthy(this.docker, cid, url, `app ${app.name} ${id.release}`, env.healthTimeoutMs, req.signal);
      req.log(`app ${app.name} ${id.release}: healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s (${url}, not yet taking traffic)`);
      started.push({ app: app.name, containerId: cid, addr, port: app.port!, health: app.health!, slot: req.slot, running: true });
    };
    // apps wait for the apps they depend on; the databases are up already
    await startInDependencyOrder(
      apps.map((a) => ({ ...a, dependsOn: a.dependsOn.filter((d) => appNames.has(d)) })),
      startOne,
    );
    return started;
  }

  /** A release's app containers as they are now (running or not). */
  async appsOf(project: string, release: string): Promise<ReleaseApp[]> {
    const out: ReleaseApp[] = [];
    for (const c of await this.containersOf(project, release)) {
      const info = await this.docker.inspectContainer(c.Id);
      if (!info) continue;
      const addr = addressOn(info.NetworkSettings.Networks, releaseNetworkName(project, release));
      const portKey = Object.keys(info.NetworkSettings.Ports ?? {})[0] ?? c.Ports[0]?.PrivatePort?.toString() ?? '';
      out.push({
        app: c.Labels[LABEL.service],
        containerId: c.Id,
        addr: addr ?? '',
        port: Number.parseInt(portKey, 10) || 0,
        health: c.Labels[LABEL.health] ?? '/health',
        slot: (c.Labels[SLOT_LABEL] as Slot) ?? 'a',
        running: info.State.Running,
      });
    }
    return out;
  }

  /** Every release that has app containers in production (live, warm, or left over). */
  async releasesPresent(project: string): Promise<string[]> {
    const cs = await this.docker.listContainers([
      `${LABEL.project}=${project}`,
      `${LABEL.env}=production`,
      `${LABEL.role}=app`,
      SLOT_LABEL,
    ]);
    return [...new Set(cs.map((c) => c.Labels[LABEL.release]))];
  }

  /** Starts a release's stopped apps again (a warm release kept stopped) and waits for their health. */
  async resumeApps(project: string, release: string, timeoutMs: number, signal?: AbortSignal): Promise<ReleaseApp[]> {
    for (const a of await this.appsOf(project, release)) if (!a.running) await this.docker.startContainer(a.containerId);
    const apps = await this.appsOf(project, release);
    for (const a of apps)
      await waitHttpHealthy(
        this.docker,
        a.containerId,
        `http://${a.addr}:${a.port}${a.health}`,
        `app ${a.app} ${release}`,
        timeoutMs,
        signal,
      );
    return apps;
  }

  /** Stops a release's apps gracefully (SIGTERM, then the grace period); they stay for a later start. */
  async stopApps(project: string, release: string, graceSeconds = 10): Promise<void> {
    await Promise.all((await this.containersOf(project, release)).map((c) => this.docker.stopContainer(c.Id, graceSeconds)));
  }

  /** Stops (gracefully) and removes a release's apps and its network. */
  async removeApps(project: string, release: string, graceSeconds = 10): Promise<void> {
    await this.removeContainers(await this.containersOf(project, release), graceSeconds);
    await this.docker.removeNetwork(releaseNetworkName(project, release));
  }

  private containersOf(project: string, release: string): Promise<ContainerSummary[]> {
    return this.docker.listContainers([
      `${LABEL.project}=${project}`,
      `${LABEL.env}=production`,
      `${LABEL.role}=app`,
      `${LABEL.release}=${release}`,
      SLOT_LABEL,
    ]);
  }

  private async removeContainers(cs: ContainerSummary[], graceSeconds: number): Promise<void> {
    await Promise.all(
      cs.map(async (c) => {
        if (graceSeconds > 0 && c.State === 'running') await this.docker.stopContainer(c.Id, graceSeconds);
        await this.docker.removeContainer(c.Id);
      }),
    );
  }
}
