import { describeError } from '../errors.js';
import { removeEnvironmentContainers } from '../pipeline/deploy.js';
import { LABEL, networkName } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import type { HostLocks } from '../host-locks.js';
import type { Recorder } from '../recorder.js';

export interface PreviewTeardown {
  docker: DockerPort;
  recorder: Recorder;
  locks: HostLocks;
}

/** The lock every change to a project's previews takes: one deploy, eviction or teardown at a time. */
export const previewLock = (project: string): string => `preview:${project}`;

/**
 * Removes a branch's preview environment entirely: its containers (apps first, databases stopped
 * cleanly), its volumes and its network, recorded as a `teardown` deployment saying who and why.
 * Returns false when the branch has none. The caller holds the project's preview lock.
 */
export async function removePreview(t: PreviewTeardown, project: string, branch: string, by: string, why: string): Promise<boolean> {
  const preview = t.recorder.read.previews.get(project, branch);
  if (!preview) return false;
  const dep = t.recorder.deploymentStarted({
    project,
    env: 'preview',
    target: branch,
    kind: 'teardown',
    buildId: preview.buildId,
    requestedBy: by,
  });
  try {
    const removed = await removeEnvironmentContainers(t.docker, project, preview.envKey);
    const volumes = await t.docker.listVolumes([`${LABEL.project}=${project}`, `${LABEL.env}=${preview.envKey}`]);
    for (const v of volumes) await t.docker.removeVolume(v);
    await t.docker.removeNetwork(networkName(project, preview.envKey));
    t.recorder.previewRemoved(project, branch);
    t.recorder.deploymentFinished(project, dep, 'success', {
      reason: `${why}; ${removed} container${removed === 1 ? '' : 's'} and ${volumes.length} volume${volumes.length === 1 ? '' : 's'} removed`,
    });
    return true;
  } catch (err) {
    t.recorder.deploymentFinished(project, dep, 'failed', { reason: `${why}; removing it failed: ${describeError(err)}` });
    throw err;
  }
}

/** A branch was deleted or its pull request closed: its preview goes, once no deploy of it is under way. */
export function teardownPreviewOf(t: PreviewTeardown, project: string, branch: string, by: string, why: string): Promise<boolean> {
  return t.locks.run(previewLock(project), `removing the preview of ${branch}`, () => removePreview(t, project, branch, by, why));
}
