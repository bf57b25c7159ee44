import type { ProjectSpec } from '../../config/project-spec.js';
import { LABEL, envFilter } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import type { ReleaseRecord } from '../model.js';
import type { FrontProxy } from '../proxy/front-proxy.js';
import { servingRelease } from '../proxy/routes.js';

/** What production runs, per service: enough to compare with a release. */
export interface RunningService {
  service: string;
  state: string;
  imageId: string;
  release?: string;
  /** Set on apps behind the front proxy (a release's own containers). */
  slot?: string;
}

/**
 * How production differs from the live release: a missing or stopped service, an app on another
 * image or labelled with another release. Empty when production is what greenci says it is.
 */
export function productionDrift(release: ReleaseRecord, spec: ProjectSpec, running: RunningService[]): string[] {
  const problems: string[] = [];
  for (const s of spec.services) {
    // an app's containers of other releases (the warm previous one) are not what serves, when the live one's are there
    const all = running.filter((r) => r.service === s.name);
    const live = all.filter((r) => r.release === release.version);
    // behind the proxy another release's app is not the live one's; deployed in place, it is that container, wrongly labelled
    const found = s.kind === 'app' && (live.length || all.some((r) => r.slot)) ? live : all;
    const c = found.find((r) => r.state === 'running') ?? found[0];
    if (!c) problems.push(`${s.name}: no container`);
    else if (c.state !== 'running') problems.push(`${s.name}: ${c.state}`);
    else if (release.images[s.name] && c.imageId !== release.images[s.name].id)
      problems.push(`${s.name}: runs image ${c.imageId.slice(7, 19)}, not ${release.images[s.name].ref}`);
    else if (s.kind === 'app' && c.release !== release.version)
      problems.push(`${s.name}: labelled release ${c.release ?? 'none'}, not ${release.version}`);
  }
  return problems;
}

/**
 * Reads production's containers from Docker in the shape productionDrift compares. A database kept
 * running across releases runs an earlier build's image of the same content: with `release`, such
 * an image counts as the release's own.
 */
export async function runningServices(docker: DockerPort, project: string, release?: ReleaseRecord): Promise<RunningService[]> {
  const containers = await docker.listContainers(envFilter(project, 'production').label);
  const sameContent = async (service: string, imageId: string): Promise<string> => {
    const want = release?.images[service]?.id;
    if (!want || want === imageId) return imageId;
    const [a, b] = await Promise.all([docker.imageContentKey(imageId), docker.imageContentKey(want)]);
    return a !== undefined && a === b ? want : imageId;
  };
  for (const c of containers)
    if (c.Labels[LABEL.role] === 'service' && c.Labels[LABEL.service]) c.ImageID = await sameContent(c.Labels[LABEL.service], c.ImageID);
  return containers
    .filter((c) => c.Labels[LABEL.service])
    .map((c) => ({
      service: c.Labels[LABEL.service],
      state: c.State,
      imageId: c.ImageID,
      release: c.Labels[LABEL.release],
      slot: c.Labels[LABEL.slot],
    }));
}

/**
 * How the front proxy differs from the live release: not running, or an app whose requests go to
 * another release (or nowhere). Empty before the first release through the proxy.
 */
export async function proxyDrift(proxy: FrontProxy, live: string, spec: ProjectSpec): Promise<string[]> {
  const routes = await proxy.routes();
  if (!routes) return [];
  const problems: string[] = [];
  const c = await proxy.container();
  if (!c) problems.push('front proxy: no container');
  else if (!c.running || !(await proxy.api.ping())) problems.push('front proxy: not running');
  for (const s of spec.services) {
    if (s.kind !== 'app' || !spec.environments.production.ports[s.name]) continue;
    const route = routes.apps.find((a) => a.app === s.name);
    const serving = route && servingRelease(route);
    if (serving !== live) problems.push(`front proxy: ${s.name} goes to ${serving ?? 'no release'}, not ${live}`);
  }
  return problems;
}
