import type { EnvName } from '../config/project-spec.js';

/** The records greenci keeps, as the store returns them and the snapshot carries them. */

export type BuildStatus = 'queued' | 'running' | 'success' | 'failed' | 'cancelled';
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
  /** Why it failed or was cancelled, in a sentence. */
  reason?: string;
  /** The release version a production build promoted (or tried to). */
  version?: string;
  commitSubject?: string;
  commitAuthor?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stages: StageRecord[];
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

/** `stop`: greenci stopped production's apps after failures; no release is live after it. */
export type DeploymentKind = 'deploy' | 'promote' | 'rollback' | 'auto-rollback' | 'stop';

export interface DeploymentRecord {
  id: number;
  project: string;
  env: EnvName;
  kind: DeploymentKind;
  buildId?: number;
  releaseId?: number;
  version?: string;
  requestedBy?: string;
  status: 'running' | 'success' | 'failed';
  reason?: string;
  startedAt: number;
  finishedAt?: number;
}
