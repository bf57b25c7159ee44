import type { ProductionHold } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

interface HoldRow {
  id: number;
  project: string;
  held_by: string;
  since: number;
  reason: string;
  release_id: number | null;
  version: string | null;
  lifted_at: number | null;
  lifted_by: string | null;
  lifted_by_build: number | null;
}

function toHold(r: HoldRow): ProductionHold {
  return {
    id: r.id,
    project: r.project,
    by: r.held_by,
    since: r.since,
    reason: r.reason,
    releaseId: opt(r.release_id),
    version: opt(r.version),
    liftedAt: opt(r.lifted_at),
    liftedBy: opt(r.lifted_by),
    liftedByBuild: opt(r.lifted_by_build),
  };
}

/** Holds on production, one row each, kept after they are lifted: at most one per project is on (lifted_at NULL). */
export class HoldStore {
  constructor(private readonly db: Db) {}

  /** Puts a hold on; one already on is lifted by the same hand first (a second rollback replaces the first's hold). */
  place(h: { project: string; by: string; reason: string; releaseId?: number; version?: string }, now = Date.now()): ProductionHold {
    return this.db.transaction(() => {
      this.db
        .prepare('UPDATE production_holds SET lifted_at = ?, lifted_by = ? WHERE project = ? AND lifted_at IS NULL')
        .run(now, h.by, h.project);
      const id = Number(
        this.db
          .prepare('INSERT INTO production_holds (project, held_by, since, reason, release_id, version) VALUES (?, ?, ?, ?, ?, ?)')
          .run(h.project, h.by, now, h.reason, h.releaseId ?? null, h.version ?? null).lastInsertRowid,
      );
      return this.get(id)!;
    })();
  }

  /** Lifts the project's hold; undefined when none was on. `buildId`: the `greenci release` build that lifted it. */
  lift(project: string, by: string, buildId?: number, now = Date.now()): ProductionHold | undefined {
    const on = this.current(project);
    if (!on) return undefined;
    this.db
      .prepare('UPDATE production_holds SET lifted_at = ?, lifted_by = ?, lifted_by_build = ? WHERE id = ? AND lifted_at IS NULL')
      .run(now, by, buildId ?? null, on.id);
    return this.get(on.id);
  }

  /** The hold on the project's production now, if any. */
  current(project: string): ProductionHold | undefined {
    const row = this.db.prepare('SELECT * FROM production_holds WHERE project = ? AND lifted_at IS NULL').get(project) as
      | HoldRow
      | undefined;
    return row && toHold(row);
  }

  get(id: number): ProductionHold | undefined {
    const row = this.db.prepare('SELECT * FROM production_holds WHERE id = ?').get(id) as HoldRow | undefined;
    return row && toHold(row);
  }

  /** The hold a `greenci release` build lifted, if it lifted one. */
  liftedBy(buildId: number): ProductionHold | undefined {
    const row = this.db.prepare('SELECT * FROM production_holds WHERE lifted_by_build = ?').get(buildId) as HoldRow | undefined;
    return row && toHold(row);
  }

  /** Newest first. */
  list(project: string, limit = 20): ProductionHold[] {
    return (
      this.db.prepare('SELECT * FROM production_holds WHERE project = ? ORDER BY id DESC LIMIT ?').all(project, limit) as HoldRow[]
    ).map(toHold);
  }
}
