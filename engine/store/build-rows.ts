import type { BuildOutcome, BuildRecord, BuildStatus, PushInfo, StageRecord, StageStatus } from '../model.js';
import { opt } from './row.js';

/** The builds and stages tables' rows, and the records they map to. */

export interface BuildRow {
  id: number;
  project: string;
  branch: string;
  requested_sha: string | null;
  sha: string | null;
  ref_slug: string;
  trigger: string;
  requested_by: string | null;
  status: BuildStatus;
  reason: string | null;
  version: string | null;
  commit_subject: string | null;
  commit_author: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  runner: string | null;
  cancel_requested_by: string | null;
  superseded_by: number | null;
  retry_of: number | null;
  delivery_id: string | null;
  pusher_name: string | null;
  pusher_email: string | null;
  head_message: string | null;
  head_author: string | null;
  head_author_email: string | null;
  head_url: string | null;
  outcome: BuildOutcome | null;
  /** JSON (TestedBuild); read through BuildStore.tested, never part of the record (it holds a whole greenci.yml). */
  tested: string | null;
}

/** What a new build row holds. `runner` set means a process runs it at once (not the queue). */

export interface StageRow {
  build_id: number;
  name: string;
  title: string;
  status: StageStatus;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
}

export function toStage(r: StageRow): StageRecord {
  return {
    name: r.name,
    title: r.title,
    status: r.status,
    startedAt: opt(r.started_at),
    finishedAt: opt(r.finished_at),
    error: opt(r.error),
  };
}

function pushOf(r: BuildRow): PushInfo | undefined {
  const p: PushInfo = {
    pusherName: opt(r.pusher_name),
    pusherEmail: opt(r.pusher_email),
    headMessage: opt(r.head_message),
    headAuthor: opt(r.head_author),
    headAuthorEmail: opt(r.head_author_email),
    headUrl: opt(r.head_url),
  };
  return Object.values(p).some((v) => v !== undefined) ? p : undefined;
}

/** Builds, their stages and their log lines. Every write lands in SQLite as it happens. */

/** A builds row and its stages as the record the engine and the faces see. */
export function toBuild(r: BuildRow, stages: StageRecord[]): BuildRecord {
  return {
    id: r.id,
    project: r.project,
    branch: r.branch,
    requestedSha: opt(r.requested_sha),
    sha: opt(r.sha),
    refSlug: r.ref_slug,
    trigger: r.trigger,
    requestedBy: opt(r.requested_by),
    status: r.status,
    reason: opt(r.reason),
    version: opt(r.version),
    commitSubject: opt(r.commit_subject),
    commitAuthor: opt(r.commit_author),
    push: pushOf(r),
    deliveryId: opt(r.delivery_id),
    supersededBy: opt(r.superseded_by),
    retryOf: opt(r.retry_of),
    cancelRequestedBy: opt(r.cancel_requested_by),
    outcome: opt(r.outcome),
    createdAt: r.created_at,
    startedAt: opt(r.started_at),
    finishedAt: opt(r.finished_at),
    stages,
  };
}
