import type { ProjectSpec } from '../../config/project-spec.js';
import type { DockerClient } from '../docker/docker.js';
import { describeError, UsageError } from '../errors.js';
import type { DeploymentKind, ReleaseRecord } from '../model.js';
import type { Recorder } from '../recorder.js';
import { deployEnvironment } from './deploy.js';

/** Deploying a recorded release to production: manual rollback and automatic rollback both come here. */

/** The images of a release that are no longer on this host (a rollback to it cannot work). */
export async function missingImages(docker: DockerClient, release: ReleaseRecord): Promise<string[]> {
  const missing: string[] = [];
  for (const img of Object.values(release.images)) if (!(await docker.imageId(img.id))) missing.push(img.ref);
  return missing;
}

export interface ReleaseDeploy {
  project: string;
  release: ReleaseRecord;
  spec: ProjectSpec;
  kind: DeploymentKind;
  requestedBy: string;
  buildId?: number;
  log: (line: string) => void;
}

/** Deploys a release's images with the greenci.yml it was released with. Records the deployment either way. */
export async function deployRelease(docker: DockerClient, recorder: Recorder, r: ReleaseDeploy): Promise<{ ok: true } | { ok: false; reason: string }> {
  const missing = await missingImages(docker, r.release);
  if (missing.length) return { ok: false, reason: `the images of ${r.release.version} are gone (${missing.join(', ')})` };
  const dep = recorder.deploymentStarted({ project: r.project, env: 'production', kind: r.kind, buildId: r.buildId, releaseId: r.release.id, version: r.release.version, requestedBy: r.requestedBy });
  try {
    const images = Object.fromEntries(Object.entries(r.release.images).map(([name, img]) => [name, img.id]));
    await deployEnvironment(docker, {
      id: { project: r.project, env: 'production', release: r.release.version, buildId: r.release.buildId ?? 0, commit: r.release.sha },
      spec: r.spec,
      images,
      freshVolumes: false,
      log: r.log,
    });
    recorder.deploymentFinished(r.project, dep, 'success');
    return { ok: true };
  } catch (err) {
    const reason = describeError(err);
    recorder.deploymentFinished(r.project, dep, 'failed', { reason });
    return { ok: false, reason };
  }
}

/** Which release a rollback goes to: the named version, or the newest one older than the live one. */
export function chooseRollbackTarget(releases: ReleaseRecord[], live: ReleaseRecord | undefined, to?: string): ReleaseRecord {
  if (to) {
    const wanted = to.startsWith('v') ? to : `v${to}`;
    const r = releases.find((x) => x.version === wanted);
    if (!r) throw new UsageError(`no release ${wanted} (known: ${releases.map((x) => x.version).join(', ') || 'none'})`);
    if (live && r.id === live.id) throw new UsageError(`${wanted} is already live`);
    return r;
  }
  if (!live) throw new UsageError('production runs no release yet: nothing to roll back from');
  const older = releases.filter((x) => x.id < live.id).sort((a, b) => b.id - a.id)[0];
  if (!older) throw new UsageError(`${live.version} is the first release: there is nothing older to roll back to`);
  return older;
}
