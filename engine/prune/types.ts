import type { BuildStatus, ImageRef } from '../model.js';

/**
 * What the retention rule reads and decides, as plain data: greenci's records of one project, what
 * exists on the Docker engine, and the policy in, the things to keep and to remove (each with its
 * reason) out. The rule (retention.ts) is pure; facts.ts gathers these, apply.ts carries them out.
 */

/** One release as the rule needs it. */
export interface ReleaseFact {
  version: string;
  /** Per app or service: its image by id, and the name (`repo:tag`) greenci gave it. */
  images: Record<string, ImageRef>;
  createdAt: number;
}

/** A build queued or running now (any process): its images are being made or used. */
export interface ActiveBuildFact {
  id: number;
  status: 'queued' | 'running';
  branch: string;
  /** Images of an earlier build it promotes (`greenci release`). */
  tested?: Record<string, string>;
}

/** A backup of a production service's data (engine/backup/), tied to the release live when it was taken. */
export interface BackupFact {
  id: string;
  /** The release that was live when it was taken (empty: none was). */
  release: string;
  /** The service whose data it holds. */
  service: string;
  takenAt: number;
  bytes: number;
  /** Its file. */
  path: string;
}

/** A build that still has log lines in SQLite. */
export interface BuildLogFact {
  buildId: number;
  status: BuildStatus;
  /** When it ended (undefined while queued or running). */
  endedAt?: number;
  lines: number;
  bytes: number;
}

/** A build worktree left under `<dataDir>/work/<project>/`. */
export interface WorktreeFact {
  buildId: number;
  path: string;
  bytes: number;
  /** Undefined: no such build in greenci's records (left alone). */
  status?: BuildStatus;
}

/** greenci's records of one project. */
export interface RetentionRecords {
  project: string;
  productionBranch: string;
  /** Newest first. */
  releases: ReleaseFact[];
  /** The version production runs. */
  live?: string;
  /** A hold on production (a manual rollback): the release it holds to. */
  hold?: { version?: string; by: string };
  /** Releases in the front proxy's slots (serving or warm for a rollback). */
  warm: string[];
  /** The newest production-branch build that passed: `greenci release` promotes its tested images. */
  releasable?: { buildId: number; images: Record<string, string> };
  /** The build whose deployment the test environment shows now. */
  testEnv?: { buildId: number; branch: string };
  activeBuilds: ActiveBuildFact[];
  backups: BackupFact[];
  buildLogs: BuildLogFact[];
  worktrees: WorktreeFact[];
  /**
   * Build id → the commit it built, for the project's builds: an untagged build step labelled with
   * one of them (`greenci.build`, `greenci.commit`) is this project's build cache.
   */
  buildCommits: Record<string, string>;
}

/** An image on the engine (intermediate build steps too). */
export interface HostImage {
  id: string;
  parentId?: string;
  /** `repo:tag` names; empty when untagged. */
  tags: string[];
  labels: Record<string, string>;
  /** Docker's size: every layer up to the root. */
  size: number;
}

/** A container on the engine (anyone's: a foreign container using greenci's image keeps it). */
export interface HostContainer {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  imageId: string;
  labels: Record<string, string>;
  /** `running`, `exited`, `created`... */
  state: string;
  /** Bytes its writable layer holds. */
  sizeRw?: number;
}

export interface HostFacts {
  images: HostImage[];
  containers: HostContainer[];
}

export interface RetentionPolicy {
  /** Besides the live one, this many newest releases keep their images. */
  releases: number;
  buildLogDays: number;
  backups: { days: number; maxBytes?: number };
}

/**
 * `image`: removed with every name it has; `tag`: only this name goes (the image stays for something
 * kept); `cache`: an untagged build step under removed images that nothing else is built on.
 */
export type PruneKind = 'container' | 'tag' | 'image' | 'cache' | 'worktree' | 'build-log' | 'backup';

/** Something the rule removes. */
export interface PruneItem {
  kind: PruneKind;
  /** What the I/O acts on: an image or container id, a tag, a path, a build id, a backup id. */
  id: string;
  /** What people read: a name, a tag, a short id. */
  what: string;
  reason: string;
  /** What removing it frees (an estimate for images: their own layers). */
  bytes: number;
  /** A tag's image: the name is removed only while it still names this one. */
  of?: string;
  /** A backup's file. */
  path?: string;
}

/** Something of greenci's the rule keeps, and every reason it has to. */
export interface KeptItem {
  kind: 'image' | 'container' | 'backup';
  id: string;
  what: string;
  reasons: string[];
  bytes: number;
}

export interface PrunePlan {
  project: string;
  remove: PruneItem[];
  keep: KeptItem[];
  /** What was left for another time, and why (the build cache while a build runs). */
  notes: string[];
}

/** `greenci prune [project] [--dry-run]`, the schedule's and a release's. */
export interface PruneRequest {
  /** Default: every project. */
  project?: string;
  /** Decide and say, remove nothing. */
  dryRun?: boolean;
  /** An operator, or `greenci (prune)` for the schedule and releases. */
  requestedBy: string;
  /** Progress: waiting for the production lock. */
  log?: (line: string) => void;
}

/** What became of one thing the rule removes. `would`: a dry run's. */
export interface PruneOutcome extends PruneItem {
  outcome: 'removed' | 'gone' | 'skipped' | 'would';
  /** Why it was skipped (Docker refused: a container started on it, something was built on it). */
  why?: string;
}

/** One project's prune: what went (or would), what stayed and why, the bytes freed. */
export interface PruneReport {
  project: string;
  dryRun: boolean;
  requestedBy: string;
  removed: PruneOutcome[];
  kept: KeptItem[];
  notes: string[];
  /** Bytes freed (a dry run: would free): images count their own layers. */
  bytes: number;
  startedAt: number;
  finishedAt: number;
}
