import type { BuildRecord, BuildStatus, LogLine, StageRecord, StageStatus } from '../model.js';
import type { Db } from './db.js';

interface BuildRow {
  id: number; project: string; branch: string; requested_sha: string | null; sha: string | null; ref_slug: string; trigger: string;
  requested_by: string | null; status: BuildStatus; reason: string | null; version: string | null; commit_subject: string | null;
  commit_author: string | null; created_at: number; started_at: number | null; finished_at: number | null;
}
interface StageRow { build_id: number; name: string; title: string; status: StageStatus; started_at: number | null; finished_at: number | null; error: string | null }

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toStage(r: StageRow): StageRecord {
  return { name: r.name, title: r.title, status: r.status, startedAt: opt(r.started_at), finishedAt: opt(r.finished_at), error: opt(r.error) };
}

/** Builds, their stages and their log lines. Every write lands in SQLite as it happens. */
export class BuildStore {
  private readonly insertLog;
  constructor(private readonly db: Db) {
    this.insertLog = db.prepare('INSERT INTO build_logs (build_id, stage, ts, stream, line) VALUES (?, ?, ?, ?, ?)');
  }

  create(b: { project: string; branch: string; requestedSha?: string; refSlug: string; trigger: string; requestedBy?: string; stages: { name: string; title: string }[] }, now = Date.now()): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO builds (project, branch, requested_sha, ref_slug, trigger, requested_by, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(b.project, b.branch, b.requestedSha ?? null, b.refSlug, b.trigger, b.requestedBy ?? null, 'queued', now).lastInsertRowid,
      );
      const stage = this.db.prepare('INSERT INTO stages (build_id, seq, name, title, status) VALUES (?, ?, ?, ?, ?)');
      b.stages.forEach((s, i) => stage.run(id, i, s.name, s.title, 'pending'));
      return id;
    })();
  }

  update(id: number, fields: Partial<Pick<BuildRecord, 'status' | 'reason' | 'sha' | 'version' | 'commitSubject' | 'commitAuthor' | 'startedAt' | 'finishedAt'>>): void {
    const cols: Record<string, unknown> = {
      status: fields.status, reason: fields.reason, sha: fields.sha, version: fields.version, commit_subject: fields.commitSubject,
      commit_author: fields.commitAuthor, started_at: fields.startedAt, finished_at: fields.finishedAt,
    };
    const set = Object.entries(cols).filter(([, v]) => v !== undefined);
    if (!set.length) return;
    this.db.prepare(`UPDATE builds SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, v]) => v), id);
  }

  updateStage(buildId: number, name: string, fields: { status: StageStatus; startedAt?: number; finishedAt?: number; error?: string }): void {
    this.db
      .prepare('UPDATE stages SET status = ?, started_at = COALESCE(?, started_at), finished_at = COALESCE(?, finished_at), error = COALESCE(?, error) WHERE build_id = ? AND name = ?')
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
    const rows = this.db.prepare('SELECT id, build_id, stage, ts, stream, line FROM build_logs WHERE build_id = ? AND id > ? ORDER BY id LIMIT ?').all(buildId, afterId, limit) as {
      id: number; build_id: number; stage: string | null; ts: number; stream: LogLine['stream']; line: string;
    }[];
    return rows.map((r) => ({ id: r.id, buildId: r.build_id, stage: opt(r.stage), ts: r.ts, stream: r.stream, line: r.line }));
  }

  private withStages(rows: BuildRow[]): BuildRecord[] {
    if (!rows.length) return [];
    const stageRows = this.db
      .prepare(`SELECT * FROM stages WHERE build_id IN (${rows.map(() => '?').join(',')}) ORDER BY build_id, seq`)
      .all(...rows.map((r) => r.id)) as StageRow[];
    return rows.map((r) => ({
      id: r.id, project: r.project, branch: r.branch, requestedSha: opt(r.requested_sha), sha: opt(r.sha), refSlug: r.ref_slug, trigger: r.trigger,
      requestedBy: opt(r.requested_by), status: r.status, reason: opt(r.reason), version: opt(r.version), commitSubject: opt(r.commit_subject),
      commitAuthor: opt(r.commit_author), createdAt: r.created_at, startedAt: opt(r.started_at), finishedAt: opt(r.finished_at),
      stages: stageRows.filter((s) => s.build_id === r.id).map(toStage),
    }));
  }
}
