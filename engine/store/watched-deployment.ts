import type { EnvName } from '../../config/project-spec.js';
import type { LeaseStore } from './leases.js';
import type { ReleaseStore } from './releases.js';

/** The parts of the store the question reads: the environment locks and the deployments table. */
export interface WatchedDeploymentSource {
  leases: Pick<LeaseStore, 'holder'>;
  releases: Pick<ReleaseStore, 'deployments' | 'liveRelease'>;
}

/**
 * The deployment an environment's checks belong to: production while a release is live, the
 * test environment while its last deployment stands; `busy` while a build or a rollback holds
 * the environment's lock; `undefined` when the environment stands on nothing to check.
 */
export function watchedDeployment(store: WatchedDeploymentSource, project: string, env: EnvName): number | 'busy' | undefined {
  // whoever holds the environment's lock is changing it (a deploy, its tests, a promotion, a rollback)
  if (store.leases.holder(`${env}:${project}`)) return 'busy';
  const [last] = store.releases.deployments(project, env, 1);
  if (!last) return undefined;
  // still `running` with nobody holding the lock: its process died; the environment stands on nothing known
  if (last.status === 'running')
    return env === 'production' ? store.releases.deployments(project, env, 20).find((d) => d.status === 'success')?.id : undefined;
  if (env === 'production') {
    if (!store.releases.liveRelease(project)) return undefined;
    const [ok] = store.releases.deployments(project, env, 20).filter((d) => d.status === 'success');
    return ok?.id;
  }
  return last.status === 'success' && last.kind !== 'teardown' ? last.id : undefined;
}
