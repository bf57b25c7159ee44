import type { BuildStatus } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

/** A build's log in the store, in brief: how many lines and bytes it holds. */
export interface BuildLogSize {
  buildId: number;
  status: BuildStatus;
  endedAt?: number;
  lines: number;
  bytes: number;
}

/** What retention reads and removes of the builds' records: logs by size and age (the builds themselves stay), builds' commits. */
export class RetentionStore {
  constructor(private readonly db: Db) {}

  /** The project's builds that still have log lines and ended before `endedBefore`, oldest first. */
  logsEndedBefore(project: string, endedBefore: number): BuildLogSize[] {
    const rows = this.db
      .prepare(
        `SELECT b.id AS build_id, b.status, b.finished_at, COUNT(l.id) AS lines, COALESCE(SUM(LENGTH(CAST(l.line AS BLOB))), 0) AS bytes
         FROM builds b JOIN build_logs l ON l.build_id = b.id
         WHERE b.project = ? AND b.finished_at IS NOT NULL AND b.finished_at < ? AND b.status IN ('success','failed','cancelled')
         GROUP BY b.id ORDER BY b.id`,
      )
      .all(project, endedBefore) as { build_id: number; status: BuildStatus; finished_at: number | null; lines: number; bytes: number }[];
    return rows.map((r) => ({ buildId: r.build_id, status: r.status, endedAt: opt(r.finished_at), lines: r.lines, bytes: r.bytes }));
  }

  /** Deletes the log lines of these builds; returns how many lines went. */
  removeLogs(buildIds: number[]): number {
    const del = this.db.prepare('DELETE FROM build_logs WHERE build_id = ?');
    return this.db.transaction(() => buildIds.reduce((n, id) => n + del.run(id).changes, 0))();
  }

  /**
   * A backup retention removed (its file deleted): it is no longer a successful backup, so nothing
   * lists, restores or counts it again. The row stays, saying so.
   */
  backupRemoved(id: string, why: string): boolean {
    return this.db.prepare("UPDATE backups SET outcome = ? WHERE id = ? AND outcome = 'success'").run(why, id).changes === 1;
  }

  /** Each build of the project that checked a commit out: build id → its commit (what greenci's images are labelled with). */
  buildCommits(project: string): Record<string, string> {
    const rows = this.db.prepare('SELECT id, sha FROM builds WHERE project = ? AND sha IS NOT NULL').all(project) as {
      id: number;
      sha: string;
    }[];
    return Object.fromEntries(rows.map((r) => [String(r.id), r.sha]));
  }
}
