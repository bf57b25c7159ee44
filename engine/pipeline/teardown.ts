import type { DockerPort } from '../docker/port.js';
import type { HostLocks } from '../host-locks.js';
import type { Recorder } from '../recorder.js';
import { removeEnvironmentContainers } from './deploy.js';

/**
 * A branch was deleted: if the project's test environment shows that branch's build, remove its
 * containers (recorded as a `teardown`). Waits for a build using the environment to finish first.
 * Returns whether anything was torn down.
 */
export async function teardownTestFor(
  docker: DockerPort,
  recorder: Recorder,
  locks: HostLocks,
  project: string,
  branch: string,
  by: string,
): Promise<boolean> {
  return locks.run(`test:${project}`, `teardown after ${branch} was deleted`, async () => {
    const [current] = recorder.read.releases.deployments(project, 'test', 1);
    const build = current?.buildId !== undefined ? recorder.read.builds.get(current.buildId) : undefined;
    if (!current || current.kind === 'teardown' || build?.branch !== branch) return false;
    const dep = recorder.deploymentStarted({ project, env: 'test', kind: 'teardown', buildId: build.id, requestedBy: by });
    const removed = await removeEnvironmentContainers(docker, project, 'test');
    recorder.deploymentFinished(project, dep, 'success', {
      reason: `branch ${branch} was deleted; ${removed} container${removed === 1 ? '' : 's'} removed`,
    });
    return true;
  });
}
