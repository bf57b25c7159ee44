import type { EnvName } from '../config/project-spec.js';

/** What greenci watches and hears, as the store returns it and the snapshot carries it: containers, Docker, health, webhook deliveries and the audit trail. engine/model.ts re-exports it all. */

/**
 * One greenci-managed container as the console's Containers and Environments panes show it:
 * Docker's state and health, restarts, and the last resource sample (about every second).
 */
export interface ContainerRow {
  id: string;
  name: string;
  project: string;
  env: string;
  /** The app or service it runs (absent for a test step's one-off container). */
  service?: string;
  /** `app`, `service` or `test`. */
  role?: string;
  /** The image reference it was created from, e.g. `billing:v0.2.0-prod`. */
  image: string;
  /** The release version, or `build-<id>` in the test environment. */
  release?: string;
  build?: number;
  commit?: string;
  /** The commit's subject line, from the build that deployed it. */
  subject?: string;
  /** Docker's state: created, running, restarting, paused, exited, dead, removing. */
  state: string;
  /** Docker's healthcheck status, when the container has one. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  restarts: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Percent of one CPU (100 = one core busy); absent until two samples were taken. */
  cpuPercent?: number;
  memBytes?: number;
  memLimitBytes?: number;
}

/** Whether the Docker engine answers the container watcher. */
export interface DockerState {
  reachable: boolean;
  since: number;
  detail?: string;
}

/** A checked thing's health, as the monitor moves it (engine/monitor/health-state.ts holds the rule). */
export type Health = 'unknown' | 'healthy' | 'degraded' | 'down';

/** The part of a checked thing's record the health rule moves. */
export interface ServiceHealth {
  state: Health;
  since: number;
  failures: number;
  successes: number;
  detail?: string;
  /** When the recent transitions happened (within the flap window). */
  recent: number[];
  flapping: boolean;
}

/**
 * What the monitor keeps about one thing it checks: an app or service of an environment
 * (`green/production/billing`), or a part of greenci itself (`greenci/docker`, `greenci/build-12`).
 */
export interface HealthRecord extends ServiceHealth {
  key: string;
  kind: 'app' | 'service' | 'greenci' | 'build';
  project?: string;
  env?: EnvName;
  service?: string;
  /** How people read it: `green prod billing`, `greenci webhook endpoint`. */
  title: string;
  /** A down alert went out and no recovery since (a recovery is announced only after one). */
  alerted: boolean;
  /** Restarts greenci made since it was last healthy (self-healing). */
  healAttempts: number;
  checkedAt: number;
}

/** One change of a health state, as stored; `alert` says whether ops were told of it. */
export interface HealthTransitionRecord {
  id: number;
  key: string;
  title: string;
  project?: string;
  env?: EnvName;
  service?: string;
  from: Health;
  to: Health;
  detail?: string;
  alert: boolean;
  /** Why the alert reads as it does: `flapping`, `restarted 3 times`, `still down`. */
  note?: string;
  /** The last lines a container printed when it went down: what ops read first. */
  output?: string[];
  /** An ops email carrying this alert is in the outbox. */
  mailed?: boolean;
  at: number;
}

/** What greenci did with a webhook delivery. */
/** (`duplicate` is never stored: it is the answer to a redelivery.) */
export type DeliveryOutcome =
  | 'duplicate'
  | 'invalid'
  | 'queued'
  | 'ping'
  | 'ignored-tag'
  | 'skip-ci'
  | 'branch-deleted'
  | 'ignored-event'
  | 'unknown-repository'
  | 'not-watched'
  /** A pull request's head queued, joined to a build of the same commit, refused (a fork; not built), closed, or an action greenci ignores. */
  | 'pr-queued'
  | 'pr-joined'
  | 'pr-fork-refused'
  | 'pr-not-built'
  | 'pr-closed'
  | 'ignored-action';

export interface DeliveryRecord {
  id: string;
  event: string;
  project?: string;
  repository?: string;
  /** `direct` or `smee`. */
  via: string;
  /** How the signature matched: `raw` bytes, or a `reserialised` form of the parsed body (smee). */
  verified?: string;
  outcome: DeliveryOutcome;
  detail?: string;
  ref?: string;
  after?: string;
  buildId?: number;
  receivedAt: number;
}

/** One line of the audit trail: who did what to which project, and how it ended. */
export interface AuditEntry {
  id: number;
  ts: number;
  actor: string;
  action: string;
  project?: string;
  target?: string;
  outcome?: string;
  detail?: Record<string, unknown>;
}

/**
 * How reporting to GitHub goes (commit statuses and deployments), as `greenci status`, `greenci
 * health` and the console show it. Absent when no project reports to GitHub.
 */
export interface GithubReporting {
  /** Calls stored and not yet taken by GitHub (waiting for a retry, a rate limit, or their turn). */
  pending: number;
  /** When GitHub last took a call. */
  lastSentAt?: number;
  /** The last call that went wrong: what it was, GitHub's answer, when. */
  lastError?: { at: number; call: string; error: string; final: boolean };
  /** Calls have failed since then, and none was taken after (the monitor alerts past 10 minutes). */
  failingSince?: number;
}

/** A pull request greenci heard of, with the build that tests its head commit (or why none does). */
export interface PullRequestRecord {
  project: string;
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  headRef: string;
  /** `owner/name` of the head's repository (absent: the fork was deleted). */
  headRepo?: string;
  baseRef: string;
  /** Its head is in another repository (a fork): built only where the project allows it. */
  fork: boolean;
  author?: string;
  title?: string;
  /** The build testing its head (one of the branch's own, or one queued for it). */
  buildId?: number;
  /** Why its head is not built (a fork, pull requests not built for the project). */
  notBuilt?: string;
  updatedAt: number;
  closedAt?: number;
}
