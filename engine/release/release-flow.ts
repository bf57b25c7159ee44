import type { SecretValues } from '../../config/host-secrets.js';
import type { ProjectSpec } from '../../config/project-spec.js';
import { LABEL } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import { reachableHost } from '../docker/published-port.js';
import { describeError, StageError } from '../errors.js';
import { httpGet } from '../http-probe.js';
import { deployEnvironment } from '../pipeline/deploy.js';
import { FrontProxy } from '../proxy/front-proxy.js';
import type { ProxyRoutes } from '../proxy/routes.js';
import { sleep } from '../time.js';
import { SLOT_LABEL } from './app-container.js';
import { DockerTarget, type ReleaseApp } from './docker-target.js';
import { type PresentRelease, planSwitch, type RouteRelease, routesFor, slotOf } from './plan.js';

/**
 * How production changes release: the release's apps start beside the live ones (no host ports),
 * are proven healthy straight at their containers, and only then does the front proxy switch to
 * them; the previous release drains and stays warm for an instant switch back. The databases are
 * deployed in place first and left running when unchanged. Nothing here records: the callers
 * (the deploy-production stage, rollback) record deployments, audits and releases.
 */

export interface ProductionParts {
  docker: DockerPort;
  target: DockerTarget;
  proxy: FrontProxy;
}

export function productionParts(docker: DockerPort, dataDir: string, project: string): ProductionParts {
  return { docker, target: new DockerTarget(docker), proxy: new FrontProxy(docker, dataDir, project) };
}

export interface SwitchRequest {
  project: string;
  version: string;
  buildId: number;
  sha: string;
  /** Image id per app and service. */
  images: Record<string, string>;
  /** The greenci.yml the release was built with. */
  spec: ProjectSpec;
  /** The host secrets' values per app and service, resolved for production before anything changes. */
  secrets: SecretValues;
  /** The release the proxy sends requests to now. */
  live?: { version: string };
  /** Percent of requests the release takes at the switch (a canary); 100 by default. */
  weight?: number;
  log: (line: string) => void;
}

export interface SwitchResult {
  /** When the proxy started sending requests to the release. */
  switchedAt: number;
  serving: RouteRelease;
  /** The release that served before, now draining and warm (absent on a first release). */
  previous?: RouteRelease;
  /** Public addresses per app (through the proxy). */
  endpoints: Record<string, string>;
  /** The release's apps were already running: the change was a switch only. */
  warm: boolean;
}

const asRoute = (release: string, apps: ReleaseApp[]): RouteRelease => ({
  release,
  slot: apps[0]?.slot ?? 'a',
  apps: apps.map((a) => ({ app: a.app, addr: a.addr, port: a.port })),
});

/** Production's apps still deployed the old way (in place, on host ports): the proxy takes their ports over once. */
async function legacyApps(docker: DockerPort, project: string): Promise<{ ids: string[]; ports: Set<number> }> {
  const cs = await docker.listContainers([`${LABEL.project}=${project}`, `${LABEL.env}=production`, `${LABEL.role}=app`]);
  const legacy = cs.filter((c) => !c.Labels[SLOT_LABEL]);
  return { ids: legacy.map((c) => c.Id), ports: new Set(legacy.flatMap((c) => c.Ports.map((p) => p.PublicPort ?? 0)).filter(Boolean)) };
}

/**
 * Puts `version` in front: checks first (ports, then nothing in production has changed yet), the
 * databases, the release's apps (started, resumed or already warm), then the switch. When the apps
 * never become healthy they are removed and production never saw them: StageError says so.
 */
export async function switchTo(p: ProductionParts, req: SwitchRequest): Promise<SwitchResult> {
  const { project, version, spec } = req;
  const env = spec.environments.production;
  const before = await p.proxy.routes();
  const legacy = await legacyApps(p.docker, project);

  // checked before touched: a production port held by another program
  const want = routesFor(project, spec, { release: version, slot: 'a', apps: [] });
  const taken = await p.proxy.portsTaken(want, legacy.ports);
  if (taken.length)
    throw new StageError(
      `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} on ${env.bind} ${taken.length > 1 ? 'are' : 'is'} held by another program; production was not changed`,
    );

  // the databases: in place, left running when unchanged
  await deployEnvironment(p.docker, {
    id: { project, env: 'production', release: version, buildId: req.buildId, commit: req.sha },
    spec,
    images: req.images,
    freshVolumes: false,
    servicesOnly: true,
    secrets: req.secrets,
    log: req.log,
  });

  const present: PresentRelease[] = [];
  const appCount = spec.services.filter((s) => s.kind === 'app').length;
  for (const r of await p.target.releasesPresent(project)) {
    const apps = await p.target.appsOf(project, r);
    present.push({
      release: r,
      slot: apps[0]?.slot ?? 'a',
      complete: r === version ? apps.length === appCount : apps.length > 0,
      running: apps.every((a) => a.running),
    });
  }
  const liveSlot = req.live ? (slotOf(before, req.live.version) ?? present.find((x) => x.release === req.live!.version)?.slot) : undefined;
  const plan = planSwitch(version, req.live && liveSlot ? { release: req.live.version, slot: liveSlot } : undefined, present);
  for (const r of plan.retire) {
    req.log(`retiring the apps of ${r}`);
    await p.target.removeApps(project, r);
  }

  let apps: ReleaseApp[];
  try {
    if (plan.ready === 'warm') {
      apps = await p.target.appsOf(project, version);
      await assertAnswering(apps, version);
      req.log(`${version} is warm: switching to it`);
    } else if (plan.ready === 'resume') {
      req.log(`${version} is kept stopped: starting its apps`);
      apps = await p.target.resumeApps(project, version, env.healthTimeoutMs);
    } else {
      apps = await p.target.startApps({
        id: { project, env: 'production', release: version, buildId: req.buildId, commit: req.sha },
        spec,
        images: req.images,
        slot: plan.slot,
        secrets: req.secrets,
        log: req.log,
      });
    }
  } catch (err) {
    req.log(`${version} is not healthy: removing its apps; production never sent it a request`);
    await p.target.removeApps(project, version).catch(() => undefined);
    throw new StageError(`${describeError(err).split('\n')[0]}; it never took a request`);
  }

  const serving = asRoute(version, apps);
  const prevApps = req.live && liveSlot ? (await p.target.appsOf(project, req.live.version)).filter((a) => a.running) : [];
  const previous = prevApps.length ? asRoute(req.live!.version, prevApps) : undefined;
  const routes = routesFor(project, spec, serving, previous, req.weight ?? 100);

  if (legacy.ids.length) {
    // the one gap: production deployed in place before the proxy held its ports
    req.log('front proxy: taking production ports over from the apps deployed in place (a short gap, this once)');
    await Promise.all(legacy.ids.map(async (id) => (await p.docker.stopContainer(id, 10), await p.docker.removeContainer(id))));
  }
  await p.proxy.apply(routes, req.log);
  const switchedAt = Date.now();
  req.log(`front proxy: ${describeShares(routes, version)}`);
  return { switchedAt, serving, previous, endpoints: publicEndpoints(routes, spec), warm: plan.ready === 'warm' };
}

/** Back to `to` (warm, running): it takes every request again and `from` takes none. */
export async function switchBack(p: ProductionParts, spec: ProjectSpec, to: RouteRelease, from: RouteRelease): Promise<number> {
  await p.proxy.apply(routesFor(p.proxy.project, spec, to, from, 100));
  return Date.now();
}

/** The release's apps answer their health paths now (a warm release about to take traffic). */
async function assertAnswering(apps: ReleaseApp[], version: string): Promise<void> {
  if (!apps.length) throw new StageError(`${version} has no apps running`);
  for (const a of apps) {
    const res = await httpGet(`http://${a.addr}:${a.port}${a.health}`, 2000).catch((err: Error) => ({ status: 0, body: err.message }));
    if (res.status !== 200) throw new StageError(`app ${a.app} ${version} does not answer 200 on ${a.health} (${res.status || res.body})`);
  }
}

export interface VerifyResult {
  ok: boolean;
  reason?: string;
}

/**
 * The verification window after a switch: every app of the release is checked (straight at its
 * container) every 500 ms for `ms`; three failures in a row, or a container that stops, fail it.
 */
export async function verifyWindow(apps: ReleaseApp[], ms: number, docker: DockerPort, signal?: AbortSignal): Promise<VerifyResult> {
  const end = Date.now() + ms;
  const misses = new Map<string, number>();
  while (Date.now() < end) {
    for (const a of apps) {
      const info = await docker.inspectContainer(a.containerId);
      if (!info?.State.Running) return { ok: false, reason: `app ${a.app} stopped (exit ${info?.State.ExitCode ?? '?'})` };
      const res = await httpGet(`http://${a.addr}:${a.port}${a.health}`, 2000).catch((err: NodeJS.ErrnoException) => ({
        status: 0,
        body: err.code ?? err.message,
      }));
      const n = res.status === 200 ? 0 : (misses.get(a.app) ?? 0) + 1;
      misses.set(a.app, n);
      if (n >= 3) return { ok: false, reason: `app ${a.app} answered ${res.status || res.body} on ${a.health} three times in a row` };
    }
    await sleep(Math.max(0, Math.min(500, end - Date.now())), signal);
  }
  return { ok: true };
}

function describeShares(routes: ProxyRoutes, version: string): string {
  const parts = routes.apps.map((a) => {
    const s = Object.values(a.slots).filter((x) => x && x.weight > 0);
    return `${a.app} :${a.listen} → ${s.map((x) => `${x!.release}${s.length > 1 ? ` ${x!.weight}%` : ''}`).join(' + ')}`;
  });
  return parts.length ? parts.join(', ') : `${version} has no app with a production port`;
}

/** Each app's public health URL, through the proxy. */
export function publicEndpoints(routes: ProxyRoutes, spec: ProjectSpec): Record<string, string> {
  const h = reachableHost(spec.environments.production.bind);
  return Object.fromEntries(routes.apps.map((a) => [a.app, `http://${h}:${a.listen}${a.health}`]));
}
