import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { opt } from './row.js';

/** An email as greenci keeps it: stored before any attempt to send it, sent once. */
export interface MailRecord {
  id: number;
  /** What it is about: `build`, `release`, `rollback`, `health`, `test`. */
  kind: string;
  /** Set when one event must never give two emails (a build's result, say). */
  dedupeKey?: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  /** Chosen when stored, so a resend after a crash carries the same Message-ID. */
  messageId: string;
  /** What the SMTP server answered when it took the message. */
  response?: string;
  createdAt: number;
  sentAt?: number;
}

export type NewMail = Pick<MailRecord, 'kind' | 'to' | 'subject' | 'text'> & { html?: string; dedupeKey?: string };

interface Row {
  id: number;
  kind: string;
  dedupe_key: string | null;
  recipients: string;
  subject: string;
  text: string;
  html: string | null;
  status: MailRecord['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  message_id: string;
  response: string | null;
  created_at: number;
  sent_at: number | null;
}
const toRecord = (r: Row): MailRecord => ({
  id: r.id,
  kind: r.kind,
  dedupeKey: opt(r.dedupe_key),
  to: JSON.parse(r.recipients) as string[],
  subject: r.subject,
  text: r.text,
  html: opt(r.html),
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: opt(r.last_error),
  messageId: r.message_id,
  response: opt(r.response),
  createdAt: r.created_at,
  sentAt: opt(r.sent_at),
});

/** The outbox: every email is a row before it is sent; the sender takes due rows and marks them sent. */
export class OutboxStore {
  constructor(private readonly db: Db) {}

  /** Stores an email to send now; with a dedupeKey already stored, nothing is added and undefined returned. */
  add(mail: NewMail, domain: string, now = Date.now()): MailRecord | undefined {
    const r = this.db
      .prepare(
        `INSERT INTO outbox (kind, dedupe_key, recipients, subject, text, html, status, next_attempt_at, message_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING`,
      )
      .run(
        mail.kind,
        mail.dedupeKey ?? null,
        JSON.stringify(mail.to),
        mail.subject,
        mail.text,
        mail.html ?? null,
        now,
        `<${randomUUID()}@${domain}>`,
        now,
      );
    return r.changes ? this.get(Number(r.lastInsertRowid)) : undefined;
  }

  /** Whether an email with this dedupe key was already stored. */
  hasKey(key: string): boolean {
    return this.db.prepare('SELECT 1 FROM outbox WHERE dedupe_key = ?').get(key) !== undefined;
  }

  get(id: number): MailRecord | undefined {
    const r = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r && toRecord(r);
  }

  /** Pending emails whose next attempt is due, oldest first. */
  due(now = Date.now(), limit = 20): MailRecord[] {
    return (
      this.db.prepare(`SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`).all(now, limit) as Row[]
    ).map(toRecord);
  }

  /** When the next pending email is due, if any is pending. */
  nextDueAt(): number | undefined {
    const r = this.db.prepare(`SELECT MIN(next_attempt_at) AS at FROM outbox WHERE status = 'pending'`).get() as { at: number | null };
    return opt(r.at);
  }

  sent(id: number, response: string, now = Date.now()): void {
    this.db
      .prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, response = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`)
      .run(now, response, id);
  }

  /** A failed attempt: tried again at `nextAt`, or given up (`failed`) when the server refused it for good. */
  attemptFailed(id: number, error: string, nextAt: number | undefined): void {
    if (nextAt === undefined)
      this.db.prepare(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`).run(error, id);
    else
      this.db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?`).run(error, nextAt, id);
  }

  list(limit = 50): MailRecord[] {
    return (this.db.prepare('SELECT * FROM outbox ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(toRecord);
  }
}
