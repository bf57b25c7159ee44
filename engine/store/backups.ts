import type { Db } from './db.js';
import { opt } from './row.js';

/** What a backup holds: the database's own dump, or a copy of its volume (a tar of the mount path). */
export type BackupKind = 'dump' | 'volume';

/** One backup of a production service's data, stored under `<dataDir>/backups/<project>/<service>/`. */
export interface BackupRecord {
  id: string;
  project: string;
  service: string;
  /** The release live when it was taken (absent: none was). */
  release?: string;
  /** Why: `release v0.4.0`, `rollback to v0.2.0`, `restore`, `schedule`, `manual`. */
  reason: string;
  kind: BackupKind;
  path: string;
  /** Bytes of the stored (gzipped) file. */
  size: number;
  /** sha256 of the stored file, hex. */
  sha256: string;
  startedAt: number;
  finishedAt?: number;
  /** `success`, or `failed: why`; absent while it runs. */
  outcome?: string;
  requestedBy?: string;
}

/** What retention reads: the successful backups of a project. */
export interface BackupListing {
  id: string;
  release: string;
  service: string;
  takenAt: number;
  size: number;
  sha256: string;
  path: string;
}

interface BackupRow {
  id: string;
  project: string;
  service: string;
  release: string | null;
  reason: string;
  kind: BackupKind;
  path: string;
  size: number;
  sha256: string;
  started_at: number;
  finished_at: number | null;
  outcome: string | null;
  requested_by: string | null;
}

function toRecord(r: BackupRow): BackupRecord {
  return {
    id: r.id,
    project: r.project,
    service: r.service,
    release: opt(r.release),
    reason: r.reason,
    kind: r.kind,
    path: r.path,
    size: r.size,
    sha256: r.sha256,
    startedAt: r.started_at,
    finishedAt: opt(r.finished_at),
    outcome: opt(r.outcome),
    requestedBy: opt(r.requested_by),
  };
}

/** The backups table (migration 10 or later): one row per backup attempt, failed ones too. */
export class BackupStore {
  constructor(private readonly db: Db) {}

  started(
    b: Pick<BackupRecord, 'id' | 'project' | 'service' | 'release' | 'reason' | 'kind' | 'path' | 'requestedBy'>,
    now = Date.now(),
  ): void {
    this.db
      .prepare(
        `INSERT INTO backups (id, project, service, release, reason, kind, path, size, sha256, started_at, requested_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?)`,
      )
      .run(b.id, b.project, b.service, b.release ?? null, b.reason, b.kind, b.path, now, b.requestedBy ?? null);
  }

  finished(id: string, f: { outcome: string; size?: number; sha256?: string }, now = Date.now()): void {
    this.db
      .prepare('UPDATE backups SET outcome = ?, size = COALESCE(?, size), sha256 = COALESCE(?, sha256), finished_at = ? WHERE id = ?')
      .run(f.outcome, f.size ?? null, f.sha256 ?? null, now, id);
  }

  get(id: string): BackupRecord | undefined {
    const r = this.db.prepare('SELECT * FROM backups WHERE id = ?').get(id) as BackupRow | undefined;
    return r && toRecord(r);
  }

  /** Every attempt of a project, newest first (failed ones too). */
  all(project: string): BackupRecord[] {
    return (
      this.db.prepare('SELECT * FROM backups WHERE project = ? ORDER BY started_at DESC, rowid DESC').all(project) as BackupRow[]
    ).map(toRecord);
  }

  /** The project's successful backups, newest first: what `greenci backups` shows and retention reads. */
  listBackups(project: string): BackupListing[] {
    return this.all(project)
      .filter((b) => b.outcome === 'success')
      .map((b) => ({
        id: b.id,
        release: b.release ?? '',
        service: b.service,
        takenAt: b.startedAt,
        size: b.size,
        sha256: b.sha256,
        path: b.path,
      }));
  }
}
