import type { BackupRecord, BackupRequest, RestoreRequest, RestoreResult } from './api.js';
import type {
  CanaryDecisionRequest,
  DaemonInfo,
  LiftHoldRequest,
  ReleaseRequest,
  ReleaseResult,
  ReleasesView,
  RollbackRequest,
  RollbackResult,
} from './api.js';
import type { EngineEvent } from './events.js';
import type { DiskReport } from './prune/disk.js';
import type { PruneReport, PruneRequest } from './prune/types.js';
import type { BuildRecord, HealthRecord, HealthTransitionRecord, LogLine, ProductionHold, TrafficView } from './model.js';
import type { Snapshot } from './state.js';

/** What the console shows of the disk (views read engine types through this module). */
export type { DiskReport } from './prune/disk.js';

/**
 * What the faces (the command line and the console) talk to. Two implementations in src/client/:
 * over an engine in this process, and over the daemon's control socket. Both behave the same;
 * `mode` tells them apart. Every change names who asked (`requestedBy`) for the audit table.
 * Types only: views may see this module.
 */
export interface EngineClient {
  readonly mode: ClientMode;

  /** The snapshot now (and, through the daemon, the daemon's own facts). */
  status(): Promise<{ snapshot: Snapshot; daemon?: DaemonInfo }>;
  /**
   * Delivers the connection state, then a snapshot, then each event as it happens; after a
   * reconnect a fresh snapshot comes first. Greenci's containers are watched meanwhile. Returns a stop function.
   */
  connect(handlers: ConnectHandlers): () => void;
  builds(o?: { project?: string; limit?: number }): Promise<BuildRecord[]>;
  build(id: number): Promise<BuildRecord | undefined>;
  /**
   * Hands each of a build's log lines over (it prints nothing itself); with `follow`, until the
   * build ends or `signal` fires. Resolves with the build.
   */
  logs(id: number, o: { follow?: boolean; signal?: AbortSignal; onLine(l: LogLine): void }): Promise<BuildRecord>;
  /** A greenci container's last `tail` lines, then (with `follow`) new ones until `signal` fires or it stops. */
  containerLogs(
    id: string,
    o: { tail?: number; follow?: boolean; signal?: AbortSignal; onLine(line: string, stream: 'stdout' | 'stderr'): void },
  ): Promise<void>;
  /** The releases, the live one, and the hold on production while one is on. */
  releases(project: string): Promise<ReleasesView>;
  /** Every backup of the project's production data, newest first. */
  backups?(project: string): Promise<BackupRecord[]>;
  /** Backs up production's services with data now (audited). */
  backup?(req: BackupRequest): Promise<BackupRecord[]>;
  /** Puts a production service's data back from a backup (audited). */
  restore?(req: RestoreRequest): Promise<RestoreResult>;
  /** Where production's requests go now, per app: the front proxy's routes (each release's share) and its counts per release. */
  traffic(project: string): Promise<TrafficView>;
  /** The project's branches on its remote, for choosing what to build. */
  branches(project: string): Promise<string[]>;
  /** The monitor's view: every checked thing now, and the last `limit` changes (newest first). */
  health(limit: number): Promise<{ health: HealthRecord[]; transitions: HealthTransitionRecord[] }>;

  /** Queues a build. The daemon runs it; in-process, `runHere` runs it (or a console's queue does). */
  trigger(req: TriggerRequest): Promise<BuildRecord>;
  cancel(id: number, requestedBy: string): Promise<BuildRecord>;
  /** Queues the same commit again as a new build. */
  retry(id: number, requestedBy: string): Promise<BuildRecord>;
  /** Production to an earlier release; progress lines through `log`; resolves with what changed (and the hold it put on). */
  rollback(req: RollbackRequest): Promise<RollbackResult>;
  /** `greenci release`: a tested production-branch build to production, lifting the hold; progress through `log`. */
  release(req: ReleaseRequest): Promise<ReleaseResult>;
  /** `greenci release --lift`: the hold comes off without a release. */
  liftHold(req: LiftHoldRequest): Promise<ProductionHold>;
  /**
   * Promotes the project's running canary to every request now, or aborts it (the live release takes
   * every request back); audited. NotFoundError when no canary of it runs in the engine this client reaches.
   */
  canaryDecision(req: CanaryDecisionRequest): Promise<{ version: string }>;
  /**
   * `greenci prune`: the retention rule on one project or every one (a dry run removes nothing);
   * waiting for a production lock is said through `log`. Both clients have it; a console's test
   * double need not.
   */
  prune?(req: PruneRequest): Promise<PruneReport[]>;
  /** What greenci takes on disk and the free space left (`greenci status`). */
  disk?(): Promise<DiskReport>;
  /** In-process only: runs a queued build in this process, `onStage` as each stage changes; resolves when it ends. */
  runHere?(id: number, signal: AbortSignal, onStage: (build: BuildRecord) => void): Promise<BuildRecord>;

  /** Resolves when the production changes asked through this client have finished (in-process: before the engine closes). */
  settle(): Promise<void>;
  /** In-process: sends the email this run queued (or leaves it in the outbox), then closes the engine. */
  close(): Promise<void> | void;
}

export type ClientMode = 'daemon' | 'in-process';

export interface TriggerRequest {
  project: string;
  branch: string;
  sha?: string;
  requestedBy: string;
}

/** How a client is connected: attached to the daemon, or running the engine itself. */
export interface Connection {
  mode: ClientMode;
  state: 'connecting' | 'connected' | 'disconnected';
  /** Why it is disconnected, and when the next attempt is. */
  detail?: string;
  retryAt?: number;
  daemon?: DaemonInfo;
}

export interface ConnectHandlers {
  onConnection(c: Connection): void;
  onSnapshot(s: Snapshot): void;
  onEvent(e: EngineEvent): void;
}
