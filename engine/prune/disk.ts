import type { FreeThreshold } from '../../config/retention.js';
import { LABEL } from '../docker/names.js';
import { ImageGraph } from './image-graph.js';
import type { HostContainer, HostImage } from './types.js';

/** What greenci's things take on disk, and the space left where they live. */
export interface DiskReport {
  /** Bytes, by kind of thing greenci made. */
  greenci: {
    /** Images carrying a `greenci.project` label: their own layers. */
    images: number;
    /** The untagged build steps under them (and those whose image is gone), down to their base images. */
    buildCache: number;
    /** Writable layers of greenci's containers. */
    containers: number;
    /** greenci's volumes: data, never pruned. */
    volumes: number;
    /** `greenci.db` with its WAL. */
    database: number;
    /** Everything under the data dir (the database, repository caches, worktrees). */
    dataDir: number;
  };
  /** Docker's BuildKit cache, all of it: it carries no labels, so greenci cannot tell its own apart (greenci builds with the classic builder). */
  dockerBuildCache?: number;
  filesystems: FilesystemSpace[];
}

export interface FilesystemSpace {
  /** `docker`: the engine's data root; `dataDir`: greenci's. */
  name: 'docker' | 'dataDir';
  path: string;
  free: number;
  total: number;
  /** Set when the free space is below `retention.minFree`. */
  problem?: string;
}

export interface DiskFacts {
  images: HostImage[];
  containers: HostContainer[];
  volumes: { name: string; labels: Record<string, string>; bytes?: number }[];
  dockerBuildCache?: number;
  database: number;
  dataDir: number;
  filesystems: Omit<FilesystemSpace, 'problem'>[];
}

const greenci = (labels: Record<string, string>) => labels[LABEL.project] !== undefined;

/** Adds up what greenci's labelled things take (each image's own layer counted once) and checks each filesystem's free space. Pure. */
export function diskReport(f: DiskFacts, minFree: FreeThreshold): DiskReport {
  const graph = new ImageGraph({ images: f.images, containers: [] });
  const labelled = f.images.filter((i) => greenci(i.labels));
  // build steps of greenci's builds whose image is gone (`greenci.build` without `greenci.project`) are its cache too
  const orphans = f.images.filter((i) => i.tags.length === 0 && !greenci(i.labels) && i.labels[LABEL.build] !== undefined);
  const steps = new Set<string>(orphans.map((i) => i.id));
  for (const i of [...labelled, ...orphans]) {
    for (let p = graph.image(i.parentId ?? ''); p && p.tags.length === 0 && !greenci(p.labels); p = graph.image(p.parentId ?? '')) {
      if (steps.has(p.id)) break;
      steps.add(p.id);
    }
  }
  const sum = (ids: Iterable<string>) => [...ids].reduce((n, id) => n + graph.ownBytes(id), 0);
  return {
    greenci: {
      images: sum(labelled.map((i) => i.id)),
      buildCache: sum(steps),
      containers: f.containers.filter((c) => greenci(c.labels)).reduce((n, c) => n + (c.sizeRw ?? 0), 0),
      volumes: f.volumes.filter((v) => greenci(v.labels)).reduce((n, v) => n + (v.bytes ?? 0), 0),
      database: f.database,
      dataDir: f.dataDir,
    },
    ...(f.dockerBuildCache !== undefined ? { dockerBuildCache: f.dockerBuildCache } : {}),
    filesystems: f.filesystems.map((fs) => {
      const problem = diskProblem(fs.free, fs.total, minFree);
      return problem ? { ...fs, problem: `${fs.path}: ${problem}` } : fs;
    }),
  };
}

/**
 * Why the free space on a filesystem is too little, or undefined when it is enough: below
 * `threshold` bytes, or below `threshold` percent of the filesystem. What the monitor alerts on.
 */
export function diskProblem(free: number, total: number, threshold: FreeThreshold): string | undefined {
  const pct = total > 0 ? (free / total) * 100 : 0;
  if ('percent' in threshold) {
    if (pct >= threshold.percent) return undefined;
    return `${gib(free)} free of ${gib(total)} (${pct.toFixed(1)} %), below retention.minFree ${threshold.percent} %`;
  }
  if (free >= threshold.bytes) return undefined;
  return `${gib(free)} free of ${gib(total)} (${pct.toFixed(1)} %), below retention.minFree ${gib(threshold.bytes)}`;
}

/**
 * Once a filesystem was low (its check is down), the free space must rise this far above
 * `retention.minFree` before it counts as enough again, so a disk hovering at the threshold does
 * not page people at every wobble: 1 % of the filesystem or a tenth of the threshold, whichever is more.
 */
export function recoveryMargin(total: number, threshold: FreeThreshold): number {
  return Math.max(total * 0.01, thresholdBytes(total, threshold) * 0.1);
}

/** The threshold in bytes on a filesystem of `total` bytes. */
const thresholdBytes = (total: number, threshold: FreeThreshold): number =>
  'percent' in threshold ? (total * threshold.percent) / 100 : threshold.bytes;

/**
 * The monitor's verdict on a filesystem's free space. Pure. Too little below `threshold` (as
 * `diskProblem` says); after it was low (`wasLow`: people heard it was), enough again only from the
 * threshold plus `recoveryMargin` up, with the same sentence saying why not yet.
 */
export function diskVerdict(free: number, total: number, threshold: FreeThreshold, wasLow: boolean): { ok: boolean; detail?: string } {
  const problem = diskProblem(free, total, threshold);
  if (problem) return { ok: false, detail: problem };
  if (!wasLow) return { ok: true };
  const recoverAt = thresholdBytes(total, threshold) + recoveryMargin(total, threshold);
  if (free >= recoverAt) return { ok: true };
  const pct = total > 0 ? (free / total) * 100 : 0;
  return {
    ok: false,
    detail: `${gib(free)} free of ${gib(total)} (${pct.toFixed(1)} %), above retention.minFree but not yet back to ${gib(recoverAt)}, where it counts as enough again`,
  };
}

const gib = (n: number): string => `${(n / 1024 ** 3).toFixed(1)} GiB`;
