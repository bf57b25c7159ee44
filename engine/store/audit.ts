import type { AuditEntry } from '../model.js';
import type { Db } from './db.js';

export type { AuditEntry } from '../model.js';

/** Who did what to which project, and how it ended. Production changes always land here. */
export class AuditStore {
  constructor(private readonly db: Db) {}

  record(e: Omit<AuditEntry, 'id' | 'ts'>, now = Date.now()): number {
    return Number(
      this.db
        .prepare('INSERT INTO audit (ts, actor, action, project, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(now, e.actor, e.action, e.project ?? null, e.target ?? null, e.outcome ?? null, e.detail ? JSON.stringify(e.detail) : null)
        .lastInsertRowid,
    );
  }

  setOutcome(id: number, outcome: string): void {
    this.db.prepare('UPDATE audit SET outcome = ? WHERE id = ?').run(outcome, id);
  }

  get(id: number): AuditEntry | undefined {
    const r = this.db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as Row | undefined;
    return r && toEntry(r);
  }

  list(project?: string, limit = 100): AuditEntry[] {
    const rows = (
      project
        ? this.db.prepare('SELECT * FROM audit WHERE project = ? ORDER BY id DESC LIMIT ?').all(project, limit)
        : this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
    ) as Row[];
    return rows.map(toEntry);
  }
}

interface Row {
  id: number;
  ts: number;
  actor: string;
  action: string;
  project: string | null;
  target: string | null;
  outcome: string | null;
  detail: string | null;
}

function toEntry(r: Row): AuditEntry {
  return {
    id: r.id,
    ts: r.ts,
    actor: r.actor,
    action: r.action,
    project: r.project ?? undefined,
    target: r.target ?? undefined,
    outcome: r.outcome ?? undefined,
    detail: r.detail ? JSON.parse(r.detail) : undefined,
  };
}
