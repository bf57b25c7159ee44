import type { DeliveryOutcome, DeliveryRecord } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

export type { DeliveryOutcome, DeliveryRecord } from '../model.js';

interface Row {
  id: string;
  event: string;
  project: string | null;
  repository: string | null;
  via: string;
  verified: string | null;
  outcome: DeliveryOutcome;
  detail: string | null;
  ref: string | null;
  after: string | null;
  build_id: number | null;
  received_at: number;
}

/** The most characters any stored field of a delivery keeps (a detail may say a little more). */
const MAX_FIELD = 300;
const MAX_DETAIL = 1000;
/** Deliveries no project could be attributed to are summaries kept for the operator: the newest this many. */
export const KEEP_UNATTRIBUTED = 500;

const cap = (v: string | undefined, n = MAX_FIELD): string | null => (v === undefined ? null : v.length > n ? `${v.slice(0, n - 1)}…` : v);

/** Every accepted GitHub delivery, keyed by its `X-GitHub-Delivery` id: the deduplication record. */
export class DeliveryStore {
  constructor(private readonly db: Db) {}

  has(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM deliveries WHERE id = ?').get(id) !== undefined;
  }

  /** Inserts a delivery; false if its id was already recorded (a redelivery). */
  record(d: Omit<DeliveryRecord, 'receivedAt'>, now = Date.now()): boolean {
    const r = this.db
      .prepare(
        `INSERT OR IGNORE INTO deliveries (id, event, project, repository, via, verified, outcome, detail, ref, after, build_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        cap(d.id),
        cap(d.event),
        cap(d.project),
        cap(d.repository),
        cap(d.via),
        cap(d.verified),
        d.outcome,
        cap(d.detail, MAX_DETAIL),
        cap(d.ref),
        cap(d.after),
        d.buildId ?? null,
        now,
      );
    return r.changes === 1;
  }

  /**
   * A delivery no project can be attributed to (it names a repository nobody watches; its
   * signature proves nothing): a bounded row, and only the newest KEEP_UNATTRIBUTED such rows kept,
   * so a stream of them cannot grow the database.
   */
  recordUnattributed(d: Pick<DeliveryRecord, 'id' | 'event' | 'repository' | 'via' | 'outcome'>, now = Date.now()): boolean {
    return this.db.transaction(() => {
      const fresh = this.record({ id: d.id, event: d.event, repository: d.repository, via: d.via, outcome: d.outcome }, now);
      if (fresh) {
        this.db
          .prepare(
            `DELETE FROM deliveries WHERE project IS NULL AND outcome = ? AND rowid NOT IN
               (SELECT rowid FROM deliveries WHERE project IS NULL AND outcome = ? ORDER BY received_at DESC, rowid DESC LIMIT ?)`,
          )
          .run(d.outcome, d.outcome, KEEP_UNATTRIBUTED);
      }
      return fresh;
    })();
  }

  get(id: string): DeliveryRecord | undefined {
    const r = this.db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined;
    return r && toRecord(r);
  }

  /** Newest first. */
  list(limit = 50): DeliveryRecord[] {
    return (this.db.prepare('SELECT * FROM deliveries ORDER BY received_at DESC, rowid DESC LIMIT ?').all(limit) as Row[]).map(toRecord);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM deliveries').get() as { n: number }).n;
  }
}

function toRecord(r: Row): DeliveryRecord {
  return {
    id: r.id,
    event: r.event,
    project: opt(r.project),
    repository: opt(r.repository),
    via: r.via,
    verified: opt(r.verified),
    outcome: r.outcome,
    detail: opt(r.detail),
    ref: opt(r.ref),
    after: opt(r.after),
    buildId: opt(r.build_id),
    receivedAt: r.received_at,
  };
}
