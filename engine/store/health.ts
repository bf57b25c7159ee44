import type { HealthRecord, HealthTransitionRecord } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

interface Row {
  key: string;
  kind: HealthRecord['kind'];
  project: string | null;
  env: string | null;
  service: string | null;
  title: string;
  state: HealthRecord['state'];
  since: number;
  failures: number;
  successes: number;
  detail: string | null;
  flapping: number;
  recent: string;
  alerted: number;
  heal_attempts: number;
  checked_at: number;
}
interface TransitionRow {
  id: number;
  key: string;
  title: string;
  project: string | null;
  env: string | null;
  service: string | null;
  from_state: HealthRecord['state'];
  to_state: HealthRecord['state'];
  detail: string | null;
  alert: number;
  note: string | null;
  output: string | null;
  mailed: number;
  at: number;
}
const toRecord = (r: Row): HealthRecord => ({
  key: r.key,
  kind: r.kind,
  project: opt(r.project),
  env: opt(r.env) as HealthRecord['env'],
  service: opt(r.service),
  title: r.title,
  state: r.state,
  since: r.since,
  failures: r.failures,
  successes: r.successes,
  detail: opt(r.detail),
  flapping: r.flapping === 1,
  recent: JSON.parse(r.recent) as number[],
  alerted: r.alerted === 1,
  healAttempts: r.heal_attempts,
  checkedAt: r.checked_at,
});
const toTransition = (r: TransitionRow): HealthTransitionRecord => ({
  id: r.id,
  key: r.key,
  title: r.title,
  project: opt(r.project),
  env: opt(r.env) as HealthTransitionRecord['env'],
  service: opt(r.service),
  from: r.from_state,
  to: r.to_state,
  detail: opt(r.detail),
  alert: r.alert === 1,
  note: opt(r.note),
  output: r.output === null ? undefined : (JSON.parse(r.output) as string[]),
  mailed: r.mailed === 1,
  at: r.at,
});

/** The monitor's memory: each checked thing's current health, and every change of it. */
export class HealthStore {
  constructor(private readonly db: Db) {}

  all(): HealthRecord[] {
    return (this.db.prepare('SELECT * FROM health ORDER BY key').all() as Row[]).map(toRecord);
  }

  get(key: string): HealthRecord | undefined {
    const r = this.db.prepare('SELECT * FROM health WHERE key = ?').get(key) as Row | undefined;
    return r && toRecord(r);
  }

  save(h: HealthRecord): void {
    this.db
      .prepare(
        `INSERT INTO health (key, kind, project, env, service, title, state, since, failures, successes, detail, flapping, recent, alerted, heal_attempts, checked_at)
         VALUES (@key, @kind, @project, @env, @service, @title, @state, @since, @failures, @successes, @detail, @flapping, @recent, @alerted, @healAttempts, @checkedAt)
         ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, title = excluded.title, state = excluded.state, since = excluded.since, failures = excluded.failures,
           successes = excluded.successes, detail = excluded.detail, flapping = excluded.flapping, recent = excluded.recent, alerted = excluded.alerted,
           heal_attempts = excluded.heal_attempts, checked_at = excluded.checked_at`,
      )
      .run({
        ...h,
        project: h.project ?? null,
        env: h.env ?? null,
        service: h.service ?? null,
        detail: h.detail ?? null,
        flapping: h.flapping ? 1 : 0,
        recent: JSON.stringify(h.recent),
        alerted: h.alerted ? 1 : 0,
      });
  }

  /** Stores a change with the record it led to, in one transaction; returns the stored change. */
  transition(
    h: HealthRecord,
    t: Omit<HealthTransitionRecord, 'id' | 'key' | 'title' | 'project' | 'env' | 'service'>,
  ): HealthTransitionRecord {
    return this.db.transaction(() => {
      this.save(h);
      const r = this.db
        .prepare(
          `INSERT INTO health_transitions (key, title, project, env, service, from_state, to_state, detail, alert, note, output, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          h.key,
          h.title,
          h.project ?? null,
          h.env ?? null,
          h.service ?? null,
          t.from,
          t.to,
          t.detail ?? null,
          t.alert ? 1 : 0,
          t.note ?? null,
          t.output?.length ? JSON.stringify(t.output) : null,
          t.at,
        );
      return { ...t, id: Number(r.lastInsertRowid), key: h.key, title: h.title, project: h.project, env: h.env, service: h.service };
    })();
  }

  /** Forgets a thing no longer checked (its environment was torn down, the build finished); its history stays. */
  remove(key: string): boolean {
    return this.db.prepare('DELETE FROM health WHERE key = ?').run(key).changes > 0;
  }

  /** Alerts (oldest first) no email was made for yet, from `since` on: the next ops email's content. */
  unmailedAlerts(since: number): HealthTransitionRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM health_transitions WHERE alert = 1 AND mailed = 0 AND at >= ? ORDER BY id')
        .all(since) as TransitionRow[]
    ).map(toTransition);
  }

  /** The alerts an email (now in the outbox) carries. */
  markMailed(ids: number[]): void {
    const mark = this.db.prepare('UPDATE health_transitions SET mailed = 1 WHERE id = ?');
    for (const id of ids) mark.run(id);
  }

  /** Newest first. */
  transitions(o: { key?: string; limit?: number } = {}): HealthTransitionRecord[] {
    const rows = o.key
      ? this.db.prepare('SELECT * FROM health_transitions WHERE key = ? ORDER BY id DESC LIMIT ?').all(o.key, o.limit ?? 50)
      : this.db.prepare('SELECT * FROM health_transitions ORDER BY id DESC LIMIT ?').all(o.limit ?? 50);
    return (rows as TransitionRow[]).map(toTransition);
  }
}
