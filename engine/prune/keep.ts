import { LABEL } from '../docker/names.js';
import type { HostImage, ReleaseFact, RetentionPolicy, RetentionRecords } from './types.js';

/** Which releases keep their images, and why; the rest are pruned. Newest first, as recorded. */
export function keptReleases(
  r: Pick<RetentionRecords, 'releases' | 'live' | 'hold' | 'warm'>,
  policy: Pick<RetentionPolicy, 'releases'>,
): { kept: Map<string, string[]>; pruned: ReleaseFact[] } {
  const kept = new Map<string, string[]>();
  const why = (version: string, reason: string) => kept.set(version, [...(kept.get(version) ?? []), reason]);
  r.releases.forEach((rel, i) => {
    if (rel.version === r.live) why(rel.version, `live release ${rel.version}`);
    if (i < policy.releases && rel.version !== r.live)
      why(rel.version, `rollback target ${rel.version} (one of the last ${policy.releases})`);
    if (r.hold?.version === rel.version && rel.version !== r.live)
      why(rel.version, `held release ${rel.version} (production held by ${r.hold.by})`);
    if (r.warm.includes(rel.version) && rel.version !== r.live) why(rel.version, `warm release ${rel.version} (the front proxy keeps it)`);
  });
  return { kept, pruned: r.releases.filter((rel) => !kept.has(rel.version)) };
}

/**
 * Every image id something kept needs, with its reasons: kept releases' images (by id, whatever
 * their tags), the newest tested production-branch build's (`greenci release` promotes them), the
 * test environment's build's, and queued or running builds' (their own and those they promote).
 */
export function imagesToKeep(
  r: RetentionRecords,
  keptVersions: Map<string, string[]>,
  images: readonly HostImage[],
): Map<string, string[]> {
  const keep = new Map<string, string[]>();
  const add = (id: string, reason: string) => {
    const list = keep.get(id) ?? [];
    if (!list.includes(reason)) keep.set(id, [...list, reason]);
  };
  for (const rel of r.releases)
    for (const reason of keptVersions.get(rel.version) ?? []) for (const i of Object.values(rel.images)) add(i.id, reason);
  if (r.releasable)
    for (const id of Object.values(r.releasable.images))
      add(id, `tested by build #${r.releasable.buildId}, the newest ${r.productionBranch} build that passed (greenci release)`);
  const ofBuild = (buildId: number) => images.filter((i) => i.labels[LABEL.build] === String(buildId)).map((i) => i.id);
  if (r.testEnv)
    for (const id of ofBuild(r.testEnv.buildId)) add(id, `test environment of ${r.testEnv.branch} (build #${r.testEnv.buildId})`);
  for (const b of r.activeBuilds) {
    const reason = `build #${b.id} ${b.status}`;
    for (const id of ofBuild(b.id)) add(id, reason);
    for (const id of Object.values(b.tested ?? {})) add(id, reason);
  }
  return keep;
}
