import { LABEL } from '../docker/names.js';
import { isFinished } from '../model.js';
import { planBackups } from './backups.js';
import { decideContainers } from './containers.js';
import { ImageGraph } from './image-graph.js';
import { imagesToKeep, keptReleases } from './keep.js';
import type { HostFacts, HostImage, KeptItem, PruneItem, PrunePlan, RetentionPolicy, RetentionRecords } from './types.js';

export type * from './types.js';

const DAY = 86_400_000;

/**
 * The retention rule, pure: from greenci's records of one project, what is on the Docker engine
 * and the policy, what to keep and what to remove, each with its reason. Only what carries the
 * project's `greenci.project` label is a candidate (plus the untagged build steps under images it
 * removes, and steps of its builds whose image went earlier); a foreign image, container or volume is
 * never one, and volumes never are.
 *
 * Kept: the live release and the last N (every rollback target, its images by id even when
 * another release's tag is on them: only that tag goes), held and warm releases, the newest tested
 * production-branch build (`greenci release`), the test environment's build, queued and running
 * builds, anything a remaining container uses. Removed: every other image of the project, stopped
 * containers that are not part of a standing environment or a warm release, the build cache under
 * removed images (unless `cacheBlockedBy` says a build may be using it), worktrees of ended builds,
 * log lines of builds that ended more than `buildLogDays` ago, and backups past their rule.
 */
export function planPrune(
  records: RetentionRecords,
  host: HostFacts,
  policy: RetentionPolicy,
  o: { now: number; cacheBlockedBy?: string },
): PrunePlan {
  const project = records.project;
  const ours = (labels: Record<string, string>) => labels[LABEL.project] === project;
  const containers = decideContainers(
    records,
    host.containers.filter((c) => ours(c.labels)),
  );
  const removedContainers = new Set(containers.remove.map((c) => c.id));
  // what a remaining container (anyone's) uses stays; the containers removed here no longer count
  const graph = new ImageGraph({ images: host.images, containers: host.containers.filter((c) => !removedContainers.has(c.id)) });

  const images = host.images.filter((i) => ours(i.labels));
  const { kept: versions, pruned } = keptReleases(records, policy);
  const keepIds = imagesToKeep(records, versions, images);
  const keep: KeptItem[] = [...containers.keep];
  const tags: PruneItem[] = [];
  const whole: PruneItem[] = [];
  for (const image of images) {
    const reasons = [...(keepIds.get(image.id) ?? [])];
    const user = graph.usedBy(image.id);
    if (user) reasons.push(`in use by container ${user}`);
    if (reasons.length) {
      keep.push({ kind: 'image', id: image.id, what: imageName(image), reasons, bytes: graph.ownBytes(image.id) });
      tags.push(...prunedTags(image, pruned, records, reasons[0]));
    } else {
      whole.push({
        kind: 'image',
        id: image.id,
        what: imageName(image),
        reason: whyRemoved(image, pruned, policy),
        bytes: graph.ownBytes(image.id),
      });
    }
  }

  const notes: string[] = [];
  let cache: PruneItem[] = [];
  if (o.cacheBlockedBy && whole.length) notes.push(`build cache left for the next prune: ${o.cacheBlockedBy} (it may be using it)`);
  else
    cache = graph.cacheUnder(new Set(whole.map((i) => i.id)), orphanedSteps(records, host.images)).map((id) => ({
      kind: 'cache',
      id,
      what: `build step ${short(id)}`,
      reason: 'build cache of removed images: nothing else is built on it',
      bytes: graph.ownBytes(id),
    }));

  const backups = planBackups(records.backups, new Set(versions.keys()), policy.backups, o.now);
  keep.push(...backups.keep);
  notes.push(...backups.notes);
  return {
    project,
    remove: [
      ...containers.remove,
      ...tags,
      ...whole,
      ...cache,
      ...worktrees(records),
      ...buildLogs(records, policy, o.now),
      ...backups.remove,
    ],
    keep,
    notes,
  };
}

/**
 * Tags of pruned releases on an image something kept needs: the name goes, the image stays. Only
 * while another name stays on it: Docker deletes an image with its last name (forced, even when a
 * stopped container uses it), so an image keeps at least one.
 */
function prunedTags(image: HostImage, pruned: RetentionRecords['releases'], records: RetentionRecords, keptFor: string): PruneItem[] {
  const keptRefs = new Set(records.releases.filter((r) => !pruned.includes(r)).flatMap((r) => Object.values(r.images).map((i) => i.ref)));
  const out: PruneItem[] = [];
  for (const rel of pruned)
    for (const ref of Object.values(rel.images))
      if (ref.id === image.id && image.tags.includes(ref.ref) && !keptRefs.has(ref.ref) && !out.some((t) => t.id === ref.ref))
        out.push({
          kind: 'tag',
          id: ref.ref,
          what: ref.ref,
          reason: `release ${rel.version} is pruned; the image stays (${keptFor})`,
          bytes: 0,
          of: image.id,
        });
  // one name always stays: the newest pruned release's when the image has no other
  return out.length < image.tags.length ? out : out.slice(1);
}

/** Untagged build steps of this project's builds (`greenci.build` and `greenci.commit` of one of them) that lost their image earlier. */
function orphanedSteps(records: RetentionRecords, images: readonly HostImage[]): string[] {
  return images
    .filter((i) => {
      const build = i.labels[LABEL.build];
      return i.tags.length === 0 && build !== undefined && records.buildCommits[build] === i.labels[LABEL.commit] && i.labels[LABEL.commit];
    })
    .map((i) => i.id);
}

function whyRemoved(image: HostImage, pruned: RetentionRecords['releases'], policy: RetentionPolicy): string {
  const rel = pruned.find((r) => Object.values(r.images).some((i) => i.id === image.id));
  if (rel) return `release ${rel.version}: not live, held or warm, and older than the last ${policy.releases}`;
  const build = image.labels[LABEL.build];
  const of = build ? `an image of build #${build}` : 'an image';
  return `${of}: no kept release, the test environment, the newest tested build or a running build needs it`;
}

function worktrees(r: RetentionRecords): PruneItem[] {
  return r.worktrees
    .filter((w) => w.status !== undefined && isFinished(w.status))
    .map((w) => ({
      kind: 'worktree',
      id: w.path,
      what: `worktree of build #${w.buildId}`,
      reason: `build #${w.buildId} ended`,
      bytes: w.bytes,
    }));
}

function buildLogs(r: RetentionRecords, policy: RetentionPolicy, now: number): PruneItem[] {
  return r.buildLogs
    .filter((l) => isFinished(l.status) && l.endedAt !== undefined && now - l.endedAt > policy.buildLogDays * DAY)
    .map((l) => ({
      kind: 'build-log',
      id: String(l.buildId),
      what: `log of build #${l.buildId} (${l.lines} lines)`,
      reason: `build #${l.buildId} ended ${Math.floor((now - l.endedAt!) / DAY)} days ago (retention.buildLogs.days: ${policy.buildLogDays}); the build stays listed`,
      bytes: l.bytes,
    }));
}

function imageName(i: HostImage): string {
  return i.tags.length ? `${i.tags.join(', ')} (${short(i.id)})` : `untagged ${short(i.id)}`;
}

/** `sha256:0123456789ab`: Docker's short id, with its algorithm. */
export function short(id: string): string {
  return id.startsWith('sha256:') ? id.slice(0, 19) : id.slice(0, 12);
}
