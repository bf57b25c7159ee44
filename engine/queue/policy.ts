import type { BuildRecord } from '../model.js';

/** The queue's decisions, as pure functions: what starts next, what a new push cancels. */

export interface RunningBuild {
  id: number;
  project: string;
  branch: string;
  /** The commit it builds, when known. */
  sha?: string;
}

/**
 * Which queued builds start now: oldest first, at most one per project (a project's test
 * environment serves one build at a time and its production builds go one by one) and at most
 * `parallel` in all.
 */
export function pickNext(
  queued: Pick<BuildRecord, 'id' | 'project'>[],
  running: Pick<RunningBuild, 'project'>[],
  parallel: number,
): number[] {
  const busy = new Set(running.map((r) => r.project));
  const picked: number[] = [];
  for (const b of [...queued].sort((x, y) => x.id - y.id)) {
    if (running.length + picked.length >= parallel) break;
    if (busy.has(b.project)) continue;
    busy.add(b.project);
    picked.push(b.id);
  }
  return picked;
}

/**
 * Running builds a new commit of the same branch cancels: feature branches only (production
 * builds never cancel each other), only when the policy is on, and never a build of the same
 * commit (a redelivery or a reconciliation must not restart work).
 */
export function runningToCancel(
  next: { project: string; branch: string; sha?: string },
  running: RunningBuild[],
  opts: { productionBranch: string; cancelRunningFeatureBuilds: boolean },
): number[] {
  if (!opts.cancelRunningFeatureBuilds || next.branch === opts.productionBranch) return [];
  return running
    .filter((r) => r.project === next.project && r.branch === next.branch)
    .filter((r) => !(next.sha && r.sha && sameCommit(next.sha, r.sha)))
    .map((r) => r.id);
}

/** Full and abbreviated shas name the same commit when one is a prefix of the other. */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.startsWith(y) || y.startsWith(x);
}
