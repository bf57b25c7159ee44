import type { Db } from './db.js';

/** What greenci did with a webhook delivery. */
/** (`duplicate` is never stored: it is the answer to a redelivery.) */
export type DeliveryOutcome = 'duplicate' | 'invalid' | 'queued' | 'ping' | 'ignored-tag' | 'skip-ci' | 'branch-deleted' | 'ignored-event' | 'unknown-repository' | 'not-watched';

export interface DeliveryRecord {
  id: string;
  event: string;
  project?: string;
  repository?: string;
  /** `direct` or `smee`. */
  via: string;
  /** How the signature matched: `raw` bytes, or a `reserialised` form of the parsed body (smee). */
  verified?: string;
  outcome: DeliveryOutcome;
  detail?: string;
  ref?: string;
  after?: string;
  buildId?: number;
  receivedAt: number;
}

interface Row {
  id: string; event: string; project: string | null; repository: string | null; via: string; verified: string | null; outcome: DeliveryOutcome;
  detail: string | null; ref: string | null; after: string | null; build_id: number | null; received_at: number;
}
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

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
      .run(d.id, d.event, d.project ?? null, d.repository ?? null, d.via, d.verified ?? null, d.outcome, d.detail ?? null, d.ref ?? null, d.after ?? null, d.buildId ?? null, now);
    return r.changes === 1;
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
    id: r.id, event: r.event, project: opt(r.project), repository: opt(r.repository), via: r.via, verified: opt(r.verified), outcome: r.outcome,
    detail: opt(r.detail), ref: opt(r.ref), after: opt(r.after), buildId: opt(r.build_id), receivedAt: r.received_at,
  };
}
