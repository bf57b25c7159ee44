import type { ProjectSpec } from '../../config/project-spec.js';
import { LABEL, envFilter } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import type { ReleaseRecord } from '../model.js';

/** What production runs, per service: enough to compare with a release. */
export interface RunningService {
  service: string;
  state: string;
  imageId: string;
  release?: string;
}

/**
 * How production differs from the live release: a missing or stopped service, an app on another
 * image or labelled with another release. Empty when production is what greenci says it is.
 */
export function productionDrift(release: ReleaseRecord, spec: ProjectSpec, running: RunningService[]): string[] {
  const problems: string[] = [];
  for (const s of spec.services) {
    const found = running.filter((r) => r.service === s.name);
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

/** Reads production's containers from Docker in the shape productionDrift compares. */
export async function runningServices(docker: DockerPort, project: string): Promise<RunningService[]> {
  const containers = await docker.listContainers(envFilter(project, 'production').label);
  return containers
    .filter((c) => c.Labels[LABEL.service])
    .map((c) => ({ service: c.Labels[LABEL.service], state: c.State, imageId: c.ImageID, release: c.Labels[LABEL.release] }));
}
