import type { RestoreRequest, RestoreResult } from './backup/restore.js';
import type { RestoredData } from './backup/rollback-data.js';
import type { BackupRecord } from './store/backups.js';
import type { GreenciConfig } from '../config/schema.js';
import type { DockerPort } from './docker/port.js';
import type { EngineEvent, Listener } from './events.js';
import type {
  BuildRecord,
  DeliveryRecord,
  HealthRecord,
  HealthTransitionRecord,
  LogLine,
  ProductionHold,
  PullRequestRecord,
  TrafficView,
  PushInfo,
  ReleaseRecord,
} from './model.js';
import type { GithubService } from './github/github-service.js';
import type { PullRequestDecision } from './intake/pull-request.js';
import type { GithubSenderEvents } from './github/sender.js';
import type { MailService } from './notify/mail-service.js';
import type { SenderEvents } from './notify/outbox-sender.js';
import type { RoundResult } from './monitor/monitor.js';
import type { RunnerWatch } from './dead-runners.js';
import type { DiskReport } from './prune/disk.js';
import type { PruneReport, PruneRequest } from './prune/types.js';
import type { Note } from './recovery.js';
import type { Snapshot } from './state.js';
import type { Store } from './store/index.js';

/** The engine's face: what the daemon, the console, the command line and the tests call. */

export interface RunRequest {
  project: string;
  branch: string;
  sha?: string;
  /** What started it: `manual`, `push`, `reconcile`, `retry`, `recovery`, `requeue`. */
  trigger?: string;
  requestedBy?: string;
}

export interface EnqueueRequest extends RunRequest {
  push?: PushInfo;
  deliveryId?: string;
}

/** What became of a pull_request delivery (the delivery is recorded with it). */
export type PullRequestOutcome = 'pr-queued' | 'pr-joined' | 'pr-fork-refused' | 'pr-not-built' | 'pr-closed';

export interface RollbackRequest {
  project: string;
  /** A version (`v0.1.0`); default: the release before the live one. */
  to?: string;
  requestedBy: string;
  /**
   * `--restore-data`: also put back, for every production service with a volume, the newest backup
   * taken while the target release was live (checked first; loaded into a fresh volume generation
   * before the apps switch). Without it a rollback never touches data.
   */
  restoreData?: boolean;
  /** Progress lines: waiting for another process, each service coming up. */
  log?: (line: string) => void;
}

export interface RollbackResult {
  from?: ReleaseRecord;
  to: ReleaseRecord;
  /** The hold the rollback put on production (pushes are built and tested, not released, until `greenci release`). */
  hold?: ProductionHold;
  /** The release's apps were warm: the rollback was a switch of the front proxy. */
  warm?: boolean;
  /** With `restoreData`: each service's data put back (the backup, the volume it runs on, the one kept). */
  restored?: RestoredData[];
}

export interface ReleaseRequest {
  project: string;
  /** The build to release; default: the newest production-branch build that passed. */
  build?: number;
  requestedBy: string;
  /** A canary for this release instead of greenci.yml's (`greenci release --canary 10 --for 5m`). */
  canary?: { weight: number; forMs: number };
  /** Progress lines: the release build's log as it runs. */
  log?: (line: string) => void;
}

export interface ReleaseResult {
  /** The `greenci release` build that promoted it (trigger `release`): success, or failed saying why. */
  build: BuildRecord;
  /** The build whose tested images it released. */
  of: number;
  /** The release production runs after it (absent when it failed). */
  release?: ReleaseRecord;
  /** The hold it lifted, if production was held. */
  lifted?: ProductionHold;
}

export interface CanaryDecisionRequest {
  project: string;
  decision: 'promote' | 'abort';
  requestedBy: string;
}

export interface LiftHoldRequest {
  project: string;
  requestedBy: string;
}

/** `greenci backup`: one taken now of the project's production services with data (or one of them). */
export interface BackupRequest {
  project: string;
  service?: string;
  requestedBy: string;
  log?: (line: string) => void;
}

export type { BackupRecord } from './store/backups.js';

/** What a scheduled backup did: the backups taken of the live release (none when no service keeps data), or why it was skipped. */
export type ScheduledBackup = { release: string; taken: BackupRecord[] } | { skipped: string };
export type { RestoreRequest, RestoreResult } from './backup/restore.js';
export type { RestoredData } from './backup/rollback-data.js';

/** A project's releases as every face lists them. */
export interface ReleasesView {
  releases: ReleaseRecord[];
  live?: ReleaseRecord;
  /** The hold on production, while one is on. */
  hold?: ProductionHold;
}

/** The headless core. No React, no printing: faces read the snapshot and listen to events. */
export interface Engine {
  getSnapshot(): Snapshot;
  subscribe(fn: Listener): () => void;
  /** Runs one pipeline now; resolves with the finished build (a failed build resolves too). */
  run(req: RunRequest, opts?: { signal?: AbortSignal; onCreated?: (build: BuildRecord) => void }): Promise<BuildRecord>;
  /** Queues a build (durably); a newer push supersedes queued builds of its branch. `within` runs in the same transaction. */
  enqueue(req: EnqueueRequest, within?: (buildId: number) => void): Promise<BuildRecord>;
  /** Runs one queued build in this process (no daemon). */
  runQueued(id: number, opts?: { signal?: AbortSignal }): Promise<BuildRecord>;
  cancel(id: number, requestedBy: string): BuildRecord;
  /** Queues the same commit again. */
  retry(id: number, requestedBy: string): Promise<BuildRecord>;
  /** Resolves when a build that this process runs ends. */
  settled(id: number): Promise<BuildRecord | undefined>;
  /** The daemon's part: take builds from the queue as they come. */
  startQueue(): void;
  /** Stops taking builds, gives running stages `graceMs`, cancels the rest; returns builds queued again for the next start. */
  drain(graceMs: number, onCancel?: (ids: number[]) => void): Promise<BuildRecord[]>;
  /**
   * After a crash: end interrupted builds (failed and re-queued, or released when their release went
   * live); restore production where it drifted from the live release; push release tags origin lacks.
   */
  recover(): Promise<Note[]>;
  /**
   * The daemon's watch for builds whose greenci process died while it runs (a `greenci run` killed
   * with kill -9): every few seconds they end as `recover` ends them at a start (failed and queued
   * again once, or released); deployments such a process left running are closed as interrupted,
   * and production, when one of them was a production deployment, is checked against the live release.
   */
  watchDeadRunners(o?: { everyMs?: number; onNote?: (n: Note) => void }): RunnerWatch;
  /**
   * Pushes the release tags origin has not got yet (a push refused, greenci killed before it), those
   * due by their backoff; the daemon calls it on reconciliation's schedule. A round while one runs is dropped.
   */
  pushTags(): Promise<Note[]>;
  /** A branch was deleted: its queued builds are cancelled and the test environment torn down if it shows the branch. */
  /** Queued builds of the branch cancelled, the test environment torn down if it shows the branch, the branch's preview removed. */
  branchDeleted(project: string, branch: string, by: string): Promise<{ cancelled: number[]; tornDown: boolean; previewRemoved: boolean }>;
  /**
   * Compares each watched branch's remote head (`git ls-remote`) with its last build and queues
   * what was missed (trigger `reconcile`). Watched: the production branch, and branches built in
   * the last `reconcile.watchDays` days that still exist.
   */
  reconcile(project: string): Promise<BuildRecord[]>;
  /** Announces something that is not a store change (intake, smee) to every listener. */
  publish(event: EngineEvent): void;
  /** Swaps in a reloaded config (SIGHUP). dataDir and the Docker socket keep their old values. */
  setConfig(config: GreenciConfig): void;
  readonly config: GreenciConfig;
  /** Production to an earlier release under its lock; a rollback that succeeds puts a hold on production. */
  rollback(req: RollbackRequest): Promise<RollbackResult>;
  /**
   * `greenci release`: promotes, deploys and tags an already tested production-branch build (its
   * tested images; a commit released before gets its release again), and lifts the hold once it
   * runs. Refuses, changing nothing, when its images are gone. Resolves with the release build.
   */
  release(req: ReleaseRequest): Promise<ReleaseResult>;
  /** `greenci release --lift`: lifts the hold without releasing anything; refuses when production is not held. */
  liftHold(req: LiftHoldRequest): ProductionHold;
  /**
   * Promotes the project's running canary to all requests now, or aborts it (weight 0, switched
   * back to the live release); audited. NotFoundError when no canary runs in this process.
   */
  canaryDecision(req: CanaryDecisionRequest): { version: string };
  /** Where production's requests go now, per app (the front proxy's routes and counters). */
  traffic(project: string): Promise<TrafficView>;
  /**
   * The retention rule (engine/prune/retention.ts) on one project or every one: under each project's
   * production lock, removes the images, stopped containers, build cache, worktrees and old build
   * logs greenci made that nothing kept needs (a dry run: says so, removes nothing); audited.
   */
  prune(req: PruneRequest): Promise<PruneReport[]>;
  /** What greenci's images, containers, build cache, volumes and data take on disk, and the free space left. */
  disk(): Promise<DiskReport>;
  /** Resolves when the prunes this engine started on its own (after releases) have ended. */
  pruneSettled(): Promise<void>;
  /** Retires warm releases whose keep_warm time is up (the engine's background does it every 30 s once the queue started). */
  retireWarm(): Promise<{ project: string; release: string }[]>;
  releases(project: string): ReleasesView;
  /** Every backup of the project's production data (failed attempts too), newest first. */
  backups(project: string): BackupRecord[];
  /** Backs up production's services with data now, under the production lock (audited `backup`, reason `manual`). */
  backup(req: BackupRequest): Promise<BackupRecord[]>;
  /**
   * The project's scheduled backup (`projects.<p>.backups.schedule`, the daemon): production's
   * services with data, tied to the live release, reason `schedule`, under the production lock,
   * audited as `greenci (schedule)`. Skipped, and says why, when nothing is in production or the
   * lock is held (a release, rollback, restore or prune in progress): it never waits behind one.
   */
  backupOnSchedule(project: string, log?: (line: string) => void): Promise<ScheduledBackup>;
  /** Puts a service's data back from a backup under the production lock (engine/backup/restore.ts). */
  restore(req: RestoreRequest): Promise<RestoreResult>;
  builds(opts?: { project?: string; limit?: number }): BuildRecord[];
  build(id: number): BuildRecord | undefined;
  logs(buildId: number, afterId?: number): LogLine[];
  /**
   * Starts watching greenci-managed containers (Docker's list, events and stats, about every
   * second) if nobody does yet; the snapshot's `containers` then stays current and `containers`
   * events flow. Returns a release: the watcher stops when the last watcher released it.
   */
  watchContainers(): () => void;
  /** A greenci-managed container's last `tail` log lines, then (with follow) new ones until `signal` fires or it stops. */
  containerLogs(
    id: string,
    opts: { tail?: number; follow?: boolean; signal?: AbortSignal; onLine: (line: string, stream: 'stdout' | 'stderr') => void },
  ): Promise<void>;
  /**
   * Starts the monitoring service (health checks on `monitor.schedule`, at once on Docker's die,
   * oom and health events): `health.*` events flow and the snapshot's `health` stays current.
   */
  startMonitor(opts?: MonitorStartOptions): MonitorHandle;
  /** The project's branches on its remote (`git ls-remote`), for choosing what to build. */
  branches(project: string): Promise<string[]>;
  /** The webhook deliveries greenci took: the intake's deduplication record. */
  readonly deliveries: DeliveryLedger;
  /** The monitor's record: every checked thing now, and the last `limit` state changes (newest first). */
  healthHistory(limit: number): { health: HealthRecord[]; transitions: HealthTransitionRecord[] };
  /** Builds waiting in the queue, by project. */
  queueDepth(): Record<string, number>;
  /**
   * Starts email for this process (the daemon, or a command or console without one): what happens
   * becomes outbox rows, sent by one process at a time. Undefined when the config has no smtp.
   */
  startMail(o: { env: NodeJS.ProcessEnv; on?: SenderEvents }): MailService | undefined;
  /**
   * Starts reporting to GitHub for this process, like email: builds become commit statuses and
   * deployments GitHub deployments, stored in an outbox and sent by one process at a time.
   */
  startGithub(o: { env: NodeJS.ProcessEnv; on?: GithubSenderEvents }): GithubService;
  /**
   * A pull request's delivery carried out: its head built (or joined to a build of the same
   * commit), refused (a fork; pull requests not built), or closed (the build queued for it alone
   * cancelled). `record` stores the delivery with its outcome (inside the build's transaction when
   * one is queued).
   */
  pullRequestEvent(
    project: string,
    decision: Exclude<PullRequestDecision, { kind: 'ignored-action' } | { kind: 'invalid' }>,
    record: (outcome: PullRequestOutcome, buildId?: number) => void,
    deliveryId?: string,
  ): Promise<{ outcome: PullRequestOutcome; pullRequest: PullRequestRecord; build?: BuildRecord }>;
  /** The pull requests greenci heard of, newest change first. */
  pullRequests(project?: string): PullRequestRecord[];
  close(): void;
}

/** What the intake records of each delivery, and asks before it does (a redelivery is answered, not built again). */
export interface DeliveryLedger {
  has(id: string): boolean;
  /** False when the id was recorded already (a redelivery). */
  record(d: Omit<DeliveryRecord, 'receivedAt'>): boolean;
  /** A delivery no project can be attributed to: a bounded row, only the newest few hundred kept. */
  recordUnattributed(d: Pick<DeliveryRecord, 'id' | 'event' | 'repository' | 'via' | 'outcome'>): boolean;
  /** Newest first. */
  list(limit?: number): DeliveryRecord[];
}

export interface MonitorStartOptions {
  /** The daemon's webhook URL, checked as part of greenci itself. */
  webhookUrl?: () => string | undefined;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** false: polling on the schedule only, no Docker events (the benchmark's peer). */
  dockerEvents?: boolean;
}

export interface MonitorHandle {
  /** A round now (or right after the one in progress). */
  check(why: string): Promise<RoundResult | undefined>;
  /** Picks up a changed `monitor.schedule`. */
  reschedule(): void;
  stop(): Promise<void>;
}

export interface EngineOptions {
  config: GreenciConfig;
  /** The environment the engine reads secrets (git tokens) from and runs git with: handed in, never read from process.env. */
  env: NodeJS.ProcessEnv;
  docker?: DockerPort;
  store?: Store;
  /**
   * This engine stands in for a daemon that is not running (the console or a command without one):
   * builds it finds queued that no operator asked for (a push, a re-queue) are built and tested
   * but not promoted. The daemon leaves it unset.
   */
  standIn?: boolean;
}

/** What `GET /v1/status` says about the daemon besides the snapshot. */
export interface DaemonInfo {
  pid: number;
  version: string;
  startedAt: number;
  webhook?: string;
  metrics?: string;
  socket: string;
  draining: boolean;
  /** When reconciliation last compared the branch heads (ms). */
  reconciledAt?: number;
}
