import type { Db } from './db.js';
import { opt } from './row.js';

/** What greenci tells GitHub: a commit status, a deployment, or a deployment's status. */
export type GithubCallKind = 'status' | 'deployment' | 'deployment_status';

/**
 * One call to GitHub as greenci keeps it: stored before any attempt, sent once. `superseded`: a
 * newer call with the same `key` (the same commit and context, or the same deployment) was stored
 * while this one waited, so only the newest goes out.
 */
export interface GithubCallRecord {
  id: number;
  project: string;
  /** `owner/name`. */
  repo: string;
  kind: GithubCallKind;
  /** Calls with one key replace each other while pending: `status:<sha>:<context>`, `deployment-status:<project>:<id>`. */
  key: string;
  /** A deployment status's deployment (the `key` of its `deployment` call): it waits for that one's GitHub id. */
  deploymentKey?: string;
  /** The request's body, as GitHub's REST API takes it. */
  body: Record<string, unknown>;
  /** One line for people: `greenci/push pending "running test" on 1a2b3c4`. */
  summary: string;
  status: 'pending' | 'sent' | 'failed' | 'superseded';
  attempts: number;
  nextAttemptAt: number;
  /** When the first failed attempt of this call was, and the last one's error. */
  firstErrorAt?: number;
  lastError?: string;
  lastErrorAt?: number;
  /** A deployment's id on GitHub, once created. */
  githubId?: number;
  dedupeKey?: string;
  createdAt: number;
  sentAt?: number;
}

export type NewGithubCall = Pick<GithubCallRecord, 'project' | 'repo' | 'kind' | 'key' | 'body' | 'summary'> & {
  deploymentKey?: string;
  /** One event gives one call: a second call with this key is not stored. */
  dedupeKey?: string;
};

interface Row {
  id: number;
  project: string;
  repo: string;
  kind: GithubCallKind;
  key: string;
  deployment_key: string | null;
  body: string;
  summary: string;
  status: GithubCallRecord['status'];
  attempts: number;
  next_attempt_at: number;
  first_error_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  github_id: number | null;
  dedupe_key: string | null;
  created_at: number;
  sent_at: number | null;
}

const toRecord = (r: Row): GithubCallRecord => ({
  id: r.id,
  project: r.project,
  repo: r.repo,
  kind: r.kind,
  key: r.key,
  deploymentKey: opt(r.deployment_key),
  body: JSON.parse(r.body) as Record<string, unknown>,
  summary: r.summary,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  firstErrorAt: opt(r.first_error_at),
  lastError: opt(r.last_error),
  lastErrorAt: opt(r.last_error_at),
  githubId: opt(r.github_id),
  dedupeKey: opt(r.dedupe_key),
  createdAt: r.created_at,
  sentAt: opt(r.sent_at),
});

/**
 * A pending deployment status is due once its deployment was created (or given up: then it is
 * given up too); everything else when its time comes.
 */
const DUE = `
  FROM github_calls c LEFT JOIN github_calls d ON d.kind = 'deployment' AND d.key = c.deployment_key
  WHERE c.status = 'pending' AND (c.kind != 'deployment_status' OR d.status IN ('sent', 'failed'))`;

/** The GitHub outbox: every call is a row before it is sent; the sender takes due rows and marks them. */
export class GithubCallStore {
  constructor(private readonly db: Db) {}

  /**
   * Stores a call to send now, superseding the pending ones with the same key (only the newest
   * status per commit and context goes out). With a dedupeKey already stored, nothing changes.
   */
  add(call: NewGithubCall, now = Date.now()): GithubCallRecord | undefined {
    return this.db.transaction(() => {
      if (call.dedupeKey && this.db.prepare('SELECT 1 FROM github_calls WHERE dedupe_key = ?').get(call.dedupeKey)) return undefined;
      if (call.kind !== 'deployment')
        this.db.prepare(`UPDATE github_calls SET status = 'superseded' WHERE key = ? AND status = 'pending'`).run(call.key);
      const r = this.db
        .prepare(
          `INSERT INTO github_calls (project, repo, kind, key, deployment_key, body, summary, status, next_attempt_at, dedupe_key, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        )
        .run(
          call.project,
          call.repo,
          call.kind,
          call.key,
          call.deploymentKey ?? null,
          JSON.stringify(call.body),
          call.summary,
          now,
          call.dedupeKey ?? null,
          now,
        );
      return this.get(Number(r.lastInsertRowid));
    })();
  }

  /** Whether a call with this dedupe key was already stored. */
  hasKey(dedupeKey: string): boolean {
    return this.db.prepare('SELECT 1 FROM github_calls WHERE dedupe_key = ?').get(dedupeKey) !== undefined;
  }

  /** Whether a build's status was ever stored under this context (a build that reported for a pull request goes on doing so until it ends). */
  reportedUnder(buildId: number, context: string): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM github_calls WHERE kind = 'status' AND dedupe_key >= ? AND dedupe_key < ? LIMIT 1`)
        .get(`status:${buildId}:${context}:`, `status:${buildId}:${context};`) !== undefined
    );
  }

  get(id: number): GithubCallRecord | undefined {
    const r = this.db.prepare('SELECT * FROM github_calls WHERE id = ?').get(id) as Row | undefined;
    return r && toRecord(r);
  }

  /** The deployment call with this key (to find its GitHub id). */
  deployment(key: string): GithubCallRecord | undefined {
    const r = this.db.prepare(`SELECT * FROM github_calls WHERE kind = 'deployment' AND key = ? ORDER BY id DESC LIMIT 1`).get(key) as
      | Row
      | undefined;
    return r && toRecord(r);
  }

  /** Pending calls whose next attempt is due, oldest first (a deployment status only once its deployment was dealt with). */
  due(now = Date.now(), limit = 20): GithubCallRecord[] {
    return (this.db.prepare(`SELECT c.* ${DUE} AND c.next_attempt_at <= ? ORDER BY c.id LIMIT ?`).all(now, limit) as Row[]).map(toRecord);
  }

  /** When the next pending call is due, if any can be. */
  nextDueAt(): number | undefined {
    const r = this.db.prepare(`SELECT MIN(c.next_attempt_at) AS at ${DUE}`).get() as { at: number | null };
    return opt(r.at);
  }

  sent(id: number, githubId: number | undefined, now = Date.now()): void {
    this.db
      .prepare(`UPDATE github_calls SET status = 'sent', sent_at = ?, github_id = ?, attempts = attempts + 1 WHERE id = ?`)
      .run(now, githubId ?? null, id);
  }

  /** A failed attempt: tried again at `nextAt`, or given up (`failed`) when GitHub refused it for good. */
  attemptFailed(id: number, error: string, nextAt: number | undefined, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE github_calls SET status = CASE WHEN ? IS NULL THEN 'failed' ELSE status END, attempts = attempts + 1,
           last_error = ?, last_error_at = ?, first_error_at = COALESCE(first_error_at, ?), next_attempt_at = COALESCE(?, next_attempt_at)
         WHERE id = ?`,
      )
      .run(nextAt ?? null, error, now, now, nextAt ?? null, id);
  }

  /** Given up without an attempt (its deployment was never created; its project's reporting is gone from the config). */
  giveUp(id: number, error: string, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE github_calls SET status = 'failed', last_error = ?, last_error_at = ?, first_error_at = COALESCE(first_error_at, ?) WHERE id = ?`,
      )
      .run(error, now, now, id);
  }

  /** Pending calls are moved to `at` at the earliest (GitHub's rate limit resets then). */
  deferAll(at: number, project?: string): void {
    this.db
      .prepare(`UPDATE github_calls SET next_attempt_at = MAX(next_attempt_at, ?) WHERE status = 'pending' AND (? IS NULL OR project = ?)`)
      .run(at, project ?? null, project ?? null);
  }

  /**
   * Forgets calls dealt with (sent, refused, replaced) before `before`; a deployment a waiting
   * status still needs stays. Returns how many went.
   */
  forget(before: number): number {
    return this.db
      .prepare(
        `DELETE FROM github_calls WHERE status != 'pending' AND created_at < ?
           AND NOT (kind = 'deployment' AND key IN (SELECT deployment_key FROM github_calls WHERE status = 'pending' AND deployment_key IS NOT NULL))`,
      )
      .run(before).changes;
  }

  /** Newest first. */
  list(limit = 50): GithubCallRecord[] {
    return (this.db.prepare('SELECT * FROM github_calls ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(toRecord);
  }

  /** The figures `greenci status` and the monitor show: see GithubReporting. */
  reporting(): { pending: number; lastSentAt?: number; lastError?: GithubCallRecord; failingSince?: number } {
    const { pending } = this.db.prepare(`SELECT COUNT(*) AS pending FROM github_calls WHERE status = 'pending'`).get() as {
      pending: number;
    };
    const { at } = this.db.prepare(`SELECT MAX(sent_at) AS at FROM github_calls WHERE status = 'sent'`).get() as { at: number | null };
    const lastSentAt = opt(at);
    const err = this.db
      .prepare(`SELECT * FROM github_calls WHERE last_error_at IS NOT NULL ORDER BY last_error_at DESC, id DESC LIMIT 1`)
      .get() as Row | undefined;
    // failing: calls went wrong after the last one GitHub took (a final refusal, or attempts still failing)
    const since = this.db
      .prepare(
        `SELECT MIN(first_error_at) AS since FROM github_calls
         WHERE first_error_at IS NOT NULL AND first_error_at > ? AND (status = 'failed' OR (status = 'pending' AND attempts > 0))`,
      )
      .get(lastSentAt ?? 0) as { since: number | null };
    return { pending, lastSentAt, lastError: err && toRecord(err), failingSince: opt(since.since) };
  }
}
