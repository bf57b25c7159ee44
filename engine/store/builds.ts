import type { BuildRecord, LogLine, PushInfo, StageRecord, StageStatus, TestedBuild } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';
import { type BuildRow, type StageRow, toBuild, toStage } from './build-rows.js';

export interface NewBuild {
  project: string;
  branch: string;
  requestedSha?: string;
  refSlug: string;
  trigger: string;
  requestedBy?: string;
  stages: { name: string; title: string }[];
  runner?: string;
  push?: PushInfo;
  deliveryId?: string;
  retryOf?: number;
  /** What an earlier build tested, for a build that promotes it without building (`greenci release`). */
  tested?: TestedBuild;
}
export class BuildStore {
  private readonly insertLog;
  constructor(private readonly db: Db) {
    this.insertLog = db.prepare('INSERT INTO build_logs (build_id, stage, ts, stream, line) VALUES (?, ?, ?, ?, ?)');
  }

  create(b: NewBuild, now = Date.now()): number {
    return this.db.transaction(() => {
      const p = b.push ?? {};
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO builds (project, branch, requested_sha, ref_slug, trigger, requested_by, status, created_at, runner, delivery_id, retry_of,
               pusher_name, pusher_email, head_message, head_author, head_author_email, head_url, tested)
             VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            b.project,
            b.branch,
            b.requestedSha ?? null,
            b.refSlug,
            b.trigger,
            b.requestedBy ?? null,
            now,
            b.runner ?? null,
            b.deliveryId ?? null,
            b.retryOf ?? null,
            p.pusherName ?? null,
            p.pusherEmail ?? null,
            p.headMessage ?? null,
            p.headAuthor ?? null,
            p.headAuthorEmail ?? null,
            p.headUrl ?? null,
            b.tested ? JSON.stringify(b.tested) : null,
          ).lastInsertRowid,
      );
      const stage = this.db.prepare('INSERT INTO stages (build_id, seq, name, title, status) VALUES (?, ?, ?, ?, ?)');
      for (const [i, s] of b.stages.entries()) stage.run(id, i, s.name, s.title, 'pending');
      return id;
    })();
  }

  /** A stage added to a build after it was planned (last, pending); nothing when it has it already. */
  addStage(buildId: number, name: string, title: string): void {
    this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM stages WHERE build_id = ? AND name = ?').get(buildId, name)) return;
      const { seq } = this.db.prepare('SELECT COALESCE(MAX(seq), -1) + 1 AS seq FROM stages WHERE build_id = ?').get(buildId) as {
        seq: number;
      };
      this.db
        .prepare("INSERT INTO stages (build_id, seq, name, title, status) VALUES (?, ?, ?, ?, 'pending')")
        .run(buildId, seq, name, title);
    })();
  }

  /** The queue in brief (id and project, oldest first): what the scheduler reads on every change. */
  queueHeads(): { id: number; project: string }[] {
    return this.db.prepare("SELECT id, project FROM builds WHERE status = 'queued' AND runner IS NULL ORDER BY id").all() as {
      id: number;
      project: string;
    }[];
  }

  /** Queued builds per project. */
  queueDepth(): Record<string, number> {
    const rows = this.db
      .prepare("SELECT project, COUNT(*) AS n FROM builds WHERE status = 'queued' AND runner IS NULL GROUP BY project")
      .all() as { project: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.project, r.n]));
  }

  /** Queued builds nobody has claimed, oldest first: the queue. */
  queued(): BuildRecord[] {
    return this.withStages(
      this.db.prepare("SELECT * FROM builds WHERE status = 'queued' AND runner IS NULL ORDER BY id").all() as BuildRow[],
    );
  }

  /** Builds some process claimed and has not finished: queued-and-claimed or running. */
  claimed(): (BuildRecord & { runner: string })[] {
    const rows = this.db
      .prepare("SELECT * FROM builds WHERE status IN ('queued','running') AND runner IS NOT NULL ORDER BY id")
      .all() as BuildRow[];
    return this.withStages(rows).map((b, i) => ({ ...b, runner: rows[i].runner! }));
  }

  /** Takes a queued build for `runner`; false if another process took it first or it was cancelled. */
  claim(id: number, runner: string): boolean {
    return (
      this.db.prepare("UPDATE builds SET runner = ? WHERE id = ? AND status = 'queued' AND runner IS NULL").run(runner, id).changes === 1
    );
  }

  /** A queued or running build of this very commit of a branch (a push and a reconciliation of the same commit make one build). */
  pendingOfCommit(project: string, branch: string, sha: string): BuildRecord | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM builds WHERE project = ? AND branch = ? AND status IN ('queued','running') AND (requested_sha = ? OR sha = ?) ORDER BY id DESC LIMIT 1",
      )
      .get(project, branch, sha, sha) as BuildRow | undefined;
    return row && this.withStages([row])[0];
  }

  /** Unclaimed queued builds of a branch, which a newer build replaces. */
  queuedOfBranch(project: string, branch: string): number[] {
    return (
      this.db
        .prepare("SELECT id FROM builds WHERE project = ? AND branch = ? AND status = 'queued' AND runner IS NULL")
        .all(project, branch) as { id: number }[]
    ).map((r) => r.id);
  }

  /** Marks a queued build superseded (cancelled, with the newer build's id); false if it was no longer queued. */
  supersede(id: number, by: number, now = Date.now()): boolean {
    return this.db.transaction(() => {
      const n = this.db
        .prepare(
          "UPDATE builds SET status = 'cancelled', outcome = 'superseded', superseded_by = ?, reason = ?, finished_at = ? WHERE id = ? AND status = 'queued' AND runner IS NULL",
        )
        .run(by, `superseded by #${by}, a newer push of the branch`, now, id).changes;
      if (n) this.db.prepare("UPDATE stages SET status = 'cancelled' WHERE build_id = ? AND status = 'pending'").run(id);
      return n === 1;
    })();
  }

  /** Cancels a build that is still waiting in the queue; false if it has started or ended. */
  cancelQueued(id: number, reason: string, now = Date.now()): boolean {
    return this.db.transaction(() => {
      const n = this.db
        .prepare(
          "UPDATE builds SET status = 'cancelled', outcome = 'cancelled', reason = ?, finished_at = ? WHERE id = ? AND status = 'queued' AND runner IS NULL",
        )
        .run(reason, now, id).changes;
      if (n) this.db.prepare("UPDATE stages SET status = 'cancelled' WHERE build_id = ? AND status = 'pending'").run(id);
      return n === 1;
    })();
  }

  /** Asks whichever process runs a build to cancel it (it polls). */
  requestCancel(id: number, by: string): void {
    this.db.prepare("UPDATE builds SET cancel_requested_by = ? WHERE id = ? AND status IN ('queued','running')").run(by, id);
  }

  /**
   * Ends a build whose process died: `failed`, or `success` when its release went live before
   * the process died. Running stages become failed (`interrupted`), pending ones skipped.
   */
  endInterrupted(id: number, status: 'failed' | 'success', reason: string, now = Date.now()): void {
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE builds SET status = ?, reason = ?, finished_at = ? WHERE id = ? AND status IN ('queued','running')")
        .run(status, reason, now, id);
      this.db
        .prepare("UPDATE stages SET status = 'failed', finished_at = ?, error = 'interrupted' WHERE build_id = ? AND status = 'running'")
        .run(now, id);
      this.db.prepare("UPDATE stages SET status = 'skipped' WHERE build_id = ? AND status = 'pending'").run(id);
    })();
  }

  /** Keeps what a build tested (promote records it), for `greenci release` to promote later. */
  setTested(id: number, tested: TestedBuild): void {
    this.db.prepare('UPDATE builds SET tested = ? WHERE id = ?').run(JSON.stringify(tested), id);
  }

  /** What a build tested, if it got as far as promote (or was made to promote another build's). */
  tested(id: number): TestedBuild | undefined {
    const r = this.db.prepare('SELECT tested FROM builds WHERE id = ?').get(id) as { tested: string | null } | undefined;
    return r?.tested ? (JSON.parse(r.tested) as TestedBuild) : undefined;
  }

  /** The newest build of a branch that passed: what `greenci release` releases when no build is named. */
  lastSuccessOfBranch(project: string, branch: string): BuildRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM builds WHERE project = ? AND branch = ? AND status = 'success' ORDER BY id DESC LIMIT 1")
      .get(project, branch) as BuildRow | undefined;
    return row && this.withStages([row])[0];
  }

  /** The newest build of a branch (any status): what reconciliation compares a branch head with. */
  /** The newest build of a commit on any branch that was not cancelled (a pull request joins it rather than build it again). */
  latestOfCommit(project: string, sha: string): BuildRecord | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM builds WHERE project = ? AND (sha = ? OR requested_sha = ?) AND status != 'cancelled' ORDER BY id DESC LIMIT 1",
      )
      .get(project, sha, sha) as BuildRow | undefined;
    return row && this.withStages([row])[0];
  }

  lastOfBranch(project: string, branch: string): BuildRecord | undefined {
    const row = this.db.prepare('SELECT * FROM builds WHERE project = ? AND branch = ? ORDER BY id DESC LIMIT 1').get(project, branch) as
      | BuildRow
      | undefined;
    return row && this.withStages([row])[0];
  }

  /** Branches of a project built since a time (besides the production branch, what reconciliation watches). */
  branchesSince(project: string, since: number): string[] {
    return (
      this.db.prepare('SELECT DISTINCT branch FROM builds WHERE project = ? AND created_at >= ?').all(project, since) as {
        branch: string;
      }[]
    ).map((r) => r.branch);
  }

  update(
    id: number,
    fields: Partial<
      Pick<BuildRecord, 'status' | 'reason' | 'outcome' | 'sha' | 'version' | 'commitSubject' | 'commitAuthor' | 'startedAt' | 'finishedAt'>
    >,
  ): void {
    const cols: Record<string, unknown> = {
      status: fields.status,
      reason: fields.reason,
      outcome: fields.outcome,
      sha: fields.sha,
      version: fields.version,
      commit_subject: fields.commitSubject,
      commit_author: fields.commitAuthor,
      started_at: fields.startedAt,
      finished_at: fields.finishedAt,
    };
    const set = Object.entries(cols).filter(([, v]) => v !== undefined);
    if (!set.length) return;
    this.db.prepare(`UPDATE builds SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, v]) => v), id);
  }

  updateStage(
    buildId: number,
    name: string,
    fields: { status: StageStatus; startedAt?: number; finishedAt?: number; error?: string },
  ): void {
    this.db
      .prepare(
        'UPDATE stages SET status = ?, started_at = COALESCE(?, started_at), finished_at = COALESCE(?, finished_at), error = COALESCE(?, error) WHERE build_id = ? AND name = ?',
      )
      .run(fields.status, fields.startedAt ?? null, fields.finishedAt ?? null, fields.error ?? null, buildId, name);
  }

  appendLog(buildId: number, stage: string | undefined, stream: LogLine['stream'], line: string, ts = Date.now()): number {
    return Number(this.insertLog.run(buildId, stage ?? null, ts, stream, line).lastInsertRowid);
  }

  get(id: number): BuildRecord | undefined {
    const row = this.db.prepare('SELECT * FROM builds WHERE id = ?').get(id) as BuildRow | undefined;
    return row && this.withStages([row])[0];
  }

  /** Newest first. */
  list(opts: { project?: string; limit?: number } = {}): BuildRecord[] {
    const rows = (
      opts.project
        ? this.db.prepare('SELECT * FROM builds WHERE project = ? ORDER BY id DESC LIMIT ?').all(opts.project, opts.limit ?? 50)
        : this.db.prepare('SELECT * FROM builds ORDER BY id DESC LIMIT ?').all(opts.limit ?? 50)
    ) as BuildRow[];
    return this.withStages(rows);
  }

  /** Log lines of a build after a given line id (0 for all). */
  logs(buildId: number, afterId = 0, limit = 100_000): LogLine[] {
    const rows = this.db
      .prepare('SELECT id, build_id, stage, ts, stream, line FROM build_logs WHERE build_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(buildId, afterId, limit) as {
      id: number;
      build_id: number;
      stage: string | null;
      ts: number;
      stream: LogLine['stream'];
      line: string;
    }[];
    return rows.map((r) => ({ id: r.id, buildId: r.build_id, stage: opt(r.stage), ts: r.ts, stream: r.stream, line: r.line }));
  }

  private withStages(rows: BuildRow[]): BuildRecord[] {
    if (!rows.length) return [];
    const stagesOf = new Map<number, StageRecord[]>();
    // bounded IN lists: SQLite caps the number of bound variables
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((r) => r.id);
      const stageRows = this.db
        .prepare(`SELECT * FROM stages WHERE build_id IN (${ids.map(() => '?').join(',')}) ORDER BY build_id, seq`)
        .all(...ids) as StageRow[];
      for (const st of stageRows) {
        const list = stagesOf.get(st.build_id) ?? [];
        list.push(toStage(st));
        stagesOf.set(st.build_id, list);
      }
    }
    return rows.map((r) => toBuild(r, stagesOf.get(r.id) ?? []));
  }
}
