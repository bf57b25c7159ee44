import type { EnvName, ProjectSpec } from '../config/project-spec.js';

/** The records greenci keeps, as the store returns them and the snapshot carries them. */

export type BuildStatus = 'queued' | 'running' | 'success' | 'failed' | 'cancelled';

const FINISHED: ReadonlySet<string> = new Set<BuildStatus>(['success', 'failed', 'cancelled']);

/** A build (or a stage) in one of these states has ended: its status and its log will not change again. */
export function isFinished(status: BuildStatus | StageStatus): boolean {
  return FINISHED.has(status);
}

export type StageStatus = 'pending' | 'running' | 'success' | 'failed' | 'skipped' | 'cancelled';

export interface StageRecord {
  name: string;
  title: string;
  status: StageStatus;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
}

export interface BuildRecord {
  id: number;
  project: string;
  branch: string;
  /** The commit built; known once checkout resolved it. */
  sha?: string;
  requestedSha?: string;
  refSlug: string;
  trigger: string;
  requestedBy?: string;
  status: BuildStatus;
  /**
   * Why it failed or was cancelled, in a sentence; on a success, what did not go to plan (the
   * release is live but its git tag could not be pushed, or greenci stopped during `release`).
   */
  reason?: string;
  /** The release version a production build promoted (or tried to). */
  version?: string;
  commitSubject?: string;
  commitAuthor?: string;
  /** Who pushed and what the push's head commit said (from the webhook), for the emails. */
  push?: PushInfo;
  /** The GitHub delivery that queued it. */
  deliveryId?: string;
  /** A newer build of the same branch that replaced this one while it was queued. */
  supersededBy?: number;
  /** The build this one retries (or re-queues after an interruption). */
  retryOf?: number;
  /** Who asked for a cancel that another process has yet to carry out. */
  cancelRequestedBy?: string;
  /** What ended it, as data, when `status` alone does not say (decisions read this, never `reason`). */
  outcome?: BuildOutcome;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stages: StageRecord[];
}

/**
 * How a build ended beyond its status: `rolled-back` (it failed in production and the release
 * before it is live again), `production-stopped` (it failed in production and nothing healthy
 * could be put back), `superseded` (a newer push replaced it), `cancelled` (someone cancelled it),
 * `shutdown` (greenci stopped while it ran: it is queued again for the next start),
 * `not-released` (a production-branch build that passed but was not promoted: production is held,
 * or greenci ran it on nobody's behalf; `greenci release` releases it; `reason` says which).
 */
export type BuildOutcome = 'rolled-back' | 'production-stopped' | 'superseded' | 'cancelled' | 'shutdown' | 'not-released';

/**
 * What a production-branch build tested, kept when it reaches promote so that `greenci release`
 * can promote it later without building it again: the image id of each built app and service,
 * the greenci.yml it was deployed with, and its commit (the version bump reads the message).
 */
export interface TestedBuild {
  commit: { sha: string; subject: string; message: string; authorName: string; authorEmail: string };
  spec: ProjectSpec;
  images: Record<string, string>;
}

/**
 * A hold on a project's production (Argo CD's auto-sync off): a manual rollback puts it on;
 * while it is on, production-branch builds are built and tested but not promoted. `greenci
 * release` lifts it by releasing a build; `greenci release --lift` lifts it alone.
 */
/** Where production's requests go, per app, as the front proxy is set (and what it counted). */
export interface TrafficView {
  project: string;
  /** No release went through the proxy yet (production deployed in place, or nothing released). */
  proxy: 'none' | 'running' | 'down';
  apps: {
    app: string;
    /** The public address (`127.0.0.1:8001`). */
    listen: string;
    /** Releases taking new requests, with their share (a canary shows two); empty: nothing serves. */
    shares: { release: string; weight: number }[];
    /** Per release in a slot (serving or warm): the proxy's counts since it started. */
    counts: { release: string; requests: number; errors5xx: number }[];
  }[];
}

/** Requests and 5xx answers the front proxy counted for a release since a canary began. */
export interface TrafficCounters {
  requests: number;
  errors5xx: number;
}

/**
 * A canary in progress (or just ended): the new release takes `weight` percent of production's
 * requests until `until`, while greenci compares its 5xx rate with the live release's.
 */
export interface CanaryState {
  project: string;
  buildId: number;
  /** The release on trial, and the live one taking the rest. */
  version: string;
  live: string;
  weight: number;
  since: number;
  until: number;
  canary: TrafficCounters;
  liveTraffic: TrafficCounters;
  /** How it ended: promoted to all requests, or aborted (weight 0, switched back); absent while it runs. */
  outcome?: 'promoted' | 'aborted';
  /** Who decided (an operator's promote/abort, or greenci by its checks), and why. */
  decidedBy?: string;
  reason?: string;
}

export interface ProductionHold {
  id: number;
  project: string;
  /** Who put it on (the operator who rolled back). */
  by: string;
  since: number;
  /** Why, in words: `rolled back from v0.4.0 to v0.3.0`. */
  reason: string;
  /** The release production was put on (the rollback's target). */
  releaseId?: number;
  version?: string;
  /** Set once it is lifted: when, by whom, and the `greenci release` build that lifted it (none: lifted alone). */
  liftedAt?: number;
  liftedBy?: string;
  liftedByBuild?: number;
}

export interface PushInfo {
  pusherName?: string;
  pusherEmail?: string;
  headMessage?: string;
  headAuthor?: string;
  headAuthorEmail?: string;
  headUrl?: string;
}

export interface LogLine {
  id: number;
  buildId: number;
  stage?: string;
  ts: number;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

/** An image greenci deployed: the tag people read and the id Docker guarantees. */
export interface ImageRef {
  ref: string;
  id: string;
}

export interface ReleaseRecord {
  id: number;
  project: string;
  version: string;
  sha: string;
  buildId?: number;
  /** Per app or built service. */
  images: Record<string, ImageRef>;
  tagPushed: boolean;
  createdAt: number;
}

/**
 * `stop`: greenci stopped production's apps after failures; no release is live after it.
 * `restore`: greenci found production not matching the live release (after a crash) and redeployed it.
 * `teardown`: a test environment removed because its branch was deleted.
 */
export type DeploymentKind = 'deploy' | 'promote' | 'rollback' | 'auto-rollback' | 'stop' | 'restore' | 'teardown';

/** Where a deployment went: the test environment, production, or a preview environment (its branch in `target`). */
export type DeploymentEnv = EnvName | 'preview';

export interface DeploymentRecord {
  id: number;
  project: string;
  env: DeploymentEnv;
  /** A preview deployment's branch (`feature/login`, or `pr:12` for a fork's pull request). */
  target?: string;
  kind: DeploymentKind;
  buildId?: number;
  releaseId?: number;
  version?: string;
  requestedBy?: string;
  /** `interrupted`: the greenci process carrying it out died (kill -9, power loss); the next start closed it. */
  status: 'running' | 'success' | 'failed' | 'interrupted';
  reason?: string;
  startedAt: number;
  finishedAt?: number;
  /** App → the URL its health check answered on, once the deployment succeeded. */
  endpoints?: Record<string, string>;
}

/** A live preview environment: one per branch, on ports of its own, until the branch or its pull request goes. */
export interface PreviewRecord {
  project: string;
  branch: string;
  /** What names its containers, network and volumes (`preview-<slug>`). */
  envKey: `preview-${string}`;
  buildId: number;
  sha: string;
  /** App → host port, from the project's range. */
  ports: Record<string, number>;
  /** App → the URL its health path answered on, once live. */
  endpoints?: Record<string, string>;
  state: 'deploying' | 'live' | 'failed';
  reason?: string;
  createdAt: number;
  updatedAt: number;
}

export * from './records.js';
