import type { SecretValues } from '../../config/host-secrets.js';
import type { EnvKey, EnvironmentSpec, ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import { LABEL, containerName, envFilter, envLabels, networkName, volumeName } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import { reachableHost } from '../docker/published-port.js';
import { serviceContainerSpec, serviceFingerprint, type DeployIdentity } from '../docker/specs.js';
import { generationVolume } from '../backup/generations.js';
import { AbortError, BugError, throwIfAborted } from '../errors.js';
import { waitContainerHealthy, waitHttpHealthy } from './health.js';

/**
 * Puts a set of images into an environment: network, volumes, then every service and app in
 * start order, each waited on until healthy. The one routine behind deploy-test, promotion,
 * rollback and automatic rollback.
 */
export interface DeployRequest {
  id: DeployIdentity;
  spec: ProjectSpec;
  /** Image id (or local reference) per app and service. */
  images: Record<string, string>;
  /** Start from empty volumes (the test environment). Production's volumes are never removed. */
  freshVolumes: boolean;
  /**
   * Only the services (databases): production's apps go through the front proxy, release beside
   * release (engine/release/); this leaves every app container as it is.
   */
  servicesOnly?: boolean;
  /** The environment's settings; default the spec's for `id.env` (a preview passes its own, with its ports). */
  environment?: EnvironmentSpec;
  /** The host secrets' values per app or service (resolved for this environment); in memory only. */
  secrets: SecretValues;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface DeployResult {
  /** Per app: the URL its health path answers on, through the bind address. */
  endpoints: Record<string, string>;
}

export async function deployEnvironment(docker: DockerPort, req: DeployRequest): Promise<DeployResult> {
  try {
    return await deploy(docker, req);
  } catch (err) {
    if (req.signal?.aborted) {
      req.log('cancelled: removing the containers this deploy started');
      await removeEnvironmentContainers(docker, req.id.project, req.id.env);
      throw new AbortError();
    }
    throw err;
  }
}

async function deploy(docker: DockerPort, req: DeployRequest): Promise<DeployResult> {
  const { id, spec } = req;
  const env = req.environment ?? environmentOf(spec, id.env);
  const labels = { ...envLabels(id.project, id.env, id.release), ...(id.preview === undefined ? {} : { [LABEL.preview]: id.preview }) };
  await docker.ensureNetwork(networkName(id.project, id.env), labels);

  const services = req.servicesOnly ? spec.services.filter((s) => s.kind === 'service') : spec.services;
  const existing = await docker.listContainers([
    ...envFilter(id.project, id.env).label,
    ...(req.servicesOnly ? [`${LABEL.role}=service`] : []),
  ]);
  // what each image holds, not its id: every build stamps its own labels, so the id is new even when nothing changed
  const content = await contentKeys(docker, services, req.images);
  const keep = new Set<string>();
  const obsolete = existing.filter((c) => {
    const svc = spec.services.find((s) => s.name === c.Labels[LABEL.service]);
    const reusable =
      !req.freshVolumes &&
      svc?.kind === 'service' &&
      c.State === 'running' &&
      c.Labels[LABEL.fingerprint] === serviceFingerprint(svc, content[svc.name], env, req.secrets[svc.name]);
    if (reusable) keep.add(svc.name);
    return !reusable;
  });
  // a database is stopped cleanly in every environment, unless its volume is thrown away with it
  const graceful = (role: string | undefined) => id.env === 'production' || (role === 'service' && !req.freshVolumes);
  await Promise.all(obsolete.map((c) => retire(docker, c.Id, graceful(c.Labels[LABEL.role]))));
  if (req.freshVolumes) {
    await Promise.all(services.filter((s) => s.volume).map((s) => docker.removeVolume(volumeName(id.project, id.env, s.name))));
  }

  const endpoints: Record<string, string> = {};
  const startOne = async (service: ServiceSpec): Promise<void> => {
    const what = `${service.kind} ${service.name}`;
    throwIfAborted(req.signal);
    if (keep.has(service.name)) {
      req.log(`${what}: unchanged, kept running`);
      return;
    }
    const image = req.images[service.name];
    if (!image) throw new BugError(`no image for ${service.name}`);
    // production's data may be on a later generation of the volume (a restore made it): the service stays on it
    const volume =
      id.env === 'production' ? await currentVolumeName(docker, id.project, service.name) : volumeName(id.project, id.env, service.name);
    if (service.volume) await docker.ensureVolume(volume, labels);
    const create = serviceContainerSpec(id, service, image, env, req.secrets[service.name], volume);
    create.Labels![LABEL.fingerprint] = serviceFingerprint(service, content[service.name], env, req.secrets[service.name]);
    await retire(docker, containerName(id.project, id.env, service.name), graceful(service.kind));
    const started = Date.now();
    const cid = await docker.createContainer(create);
    await docker.startContainer(cid);
    if (service.kind === 'service') {
      await waitContainerHealthy(docker, cid, what, env.healthTimeoutMs, req.signal, service.healthcheck);
    } else {
      const url = await healthUrl(docker, cid, service.port!, service.health!, env.bind);
      endpoints[service.name] = url;
      await waitHttpHealthy(docker, cid, url, what, env.healthTimeoutMs, req.signal);
    }
    req.log(
      `${what}: healthy after ${((Date.now() - started) / 1000).toFixed(1)} s${endpoints[service.name] ? ` (${endpoints[service.name]})` : ''}`,
    );
  };
  await startInDependencyOrder(
    req.servicesOnly ? services.map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => services.some((x) => x.name === d)) })) : services,
    startOne,
  );
  return { endpoints };
}

function environmentOf(spec: ProjectSpec, env: EnvKey): EnvironmentSpec {
  if (env === 'test' || env === 'production') return spec.environments[env];
  throw new BugError(`a deploy to ${env} must say its environment's settings`);
}

/** Each service's image content key (image-content.ts); its image reference when the image is not here (creating it fails then). */
async function contentKeys(docker: DockerPort, services: ServiceSpec[], images: Record<string, string>): Promise<Record<string, string>> {
  const keys = await Promise.all(
    services.map(async (s) => [s.name, images[s.name] && ((await docker.imageContentKey(images[s.name])) ?? images[s.name])] as const),
  );
  return Object.fromEntries(keys);
}

/**
 * Takes a container away. Production's, and a database's anywhere, is stopped first (SIGTERM,
 * SIGKILL only after the grace period) so it finishes what it serves and a database closes its
 * files before another starts on its volume (killed, MariaDB or PostgreSQL must recover its data
 * at the next start); the test environment's apps are thrown away, so they are removed at once.
 */
async function retire(docker: DockerPort, idOrName: string, graceful: boolean): Promise<void> {
  if (graceful) await docker.stopContainer(idOrName);
  await docker.removeContainer(idOrName);
}

/**
 * Starts each service as soon as everything it depends on is up, so independent ones (two
 * databases, say) come up side by side. Waits for all to settle, then throws the first failure;
 * a service whose dependency failed is never started.
 */
export async function startInDependencyOrder(services: ServiceSpec[], start: (s: ServiceSpec) => Promise<void>): Promise<void> {
  const running = new Map<string, Promise<void>>();
  for (const s of services) {
    // services come in start order, so every dependency's promise exists already
    const deps = s.dependsOn.map((d) => running.get(d)!);
    running.set(
      s.name,
      Promise.all(deps).then(() => start(s)),
    );
  }
  const results = await Promise.allSettled(running.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function healthUrl(docker: DockerPort, cid: string, port: number, path: string, bind: string): Promise<string> {
  const info = await docker.inspectContainer(cid);
  const hostPort = info?.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort;
  if (!hostPort) throw new BugError(`container ${cid.slice(0, 12)} has no published port for ${port}/tcp`);
  return `http://${reachableHost(bind)}:${hostPort}${path}`;
}

/** Removes every container of an environment (volumes and network stay). */
export async function removeEnvironmentContainers(docker: DockerPort, project: string, env: EnvKey): Promise<number> {
  const containers = await docker.listContainers(envFilter(project, env).label);
  // apps first, so none is left talking to a database that is shutting down; databases stop cleanly
  const order = [...containers].sort((a, b) => Number(a.Labels[LABEL.role] === 'service') - Number(b.Labels[LABEL.role] === 'service'));
  for (const c of order) await retire(docker, c.Id, c.State === 'running' && (env === 'production' || c.Labels[LABEL.role] === 'service'));
  return containers.length;
}

/** Stops serving: removes an environment's app containers, keeping its databases. */
export async function removeAppContainers(docker: DockerPort, project: string, env: 'test' | 'production'): Promise<void> {
  const containers = await docker.listContainers([...envFilter(project, env).label, `${LABEL.role}=app`]);
  for (const c of containers) await docker.removeContainer(c.Id);
}

/**
 * The volume production's service uses now: the highest generation of it that exists (generation
 * 1 is the plain name; a restore adds `-g2`, `-g3`... and keeps the one before for undo).
 */
export async function currentVolumeName(docker: Pick<DockerPort, 'volumeExists'>, project: string, service: string): Promise<string> {
  const base = volumeName(project, 'production', service);
  let generation = 1;
  while (await docker.volumeExists(generationVolume(base, generation + 1))) generation++;
  return generationVolume(base, generation);
}
