import { randomUUID } from 'node:crypto';
import { OutboxRounds } from '../outbox-rounds.js';
import type { LeaseStore } from '../store/leases.js';
import type { OutboxStore } from '../store/outbox.js';
import { describeSmtpError, type Mailer } from './mailer.js';
import { isTemporary, retryDelay } from './retry.js';

export interface SenderEvents {
  sent?(id: number, response: string): void;
  failed?(id: number, error: string, retryAt: number | undefined): void;
}

/** Rows another process stored are looked for this often. */
const POLL_MS = 15_000;

/**
 * Sends what the outbox holds: due emails one after another, each marked sent as soon as the
 * server took it; a temporary failure is tried again with backoff, across restarts (the schedule
 * is in the row). One round at a time; `kick()` after storing an email starts one now. One
 * process sends (the `mail` lease: the daemon, or a command when none runs), so no row goes out
 * twice; the others only store, and the sender finds their rows within POLL_MS.
 */
export class OutboxSender {
  private readonly token = randomUUID();
  private readonly rounds = new OutboxRounds({ round: () => this.round(), nextAt: () => this.outbox.nextDueAt(), pollMs: POLL_MS });

  constructor(
    private readonly outbox: OutboxStore,
    private readonly mailer: Mailer,
    private readonly on: SenderEvents = {},
    private readonly leases?: LeaseStore,
  ) {}

  private get stopped(): boolean {
    return this.rounds.stopped;
  }

  start(): void {
    this.rounds.start();
  }

  /** Sends what is due now (or right after the round in progress). */
  kick(): void {
    this.rounds.kick();
  }

  /** Waits for the round in progress and one more (so what was stored just now is tried). */
  flush(): Promise<void> {
    return this.rounds.flush();
  }

  /** Waits for the round in progress, then sends nothing more. */
  async stop(): Promise<void> {
    await this.rounds.stop();
    this.mailer.close();
    try {
      this.leases?.release('mail', this.token);
    } catch {
      // the store is closed: the lease dies with the process
    }
  }

  private async round(): Promise<void> {
    let mine = !this.leases;
    for (;;) {
      const due = this.outbox.due(Date.now(), 10);
      if (!due.length || this.stopped) return;
      // the lease is asked for only when there is something to send (a poll with nothing due writes nothing)
      if (!mine && !(mine = this.leases!.tryAcquire('mail', this.token, 'sending email').ok)) return;
      for (const m of due) {
        if (this.stopped) return;
        try {
          const r = await this.mailer.send({ to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId });
          this.outbox.sent(m.id, r.response);
          this.on.sent?.(m.id, r.response);
        } catch (err) {
          const error = describeSmtpError(err);
          const retryAt = isTemporary(err as { responseCode?: number }) ? Date.now() + retryDelay(m.attempts + 1) : undefined;
          this.outbox.attemptFailed(m.id, error, retryAt);
          this.on.failed?.(m.id, error, retryAt);
          // the server is unreachable: the others would fail the same way; try again on schedule
          if (retryAt !== undefined) return;
        }
      }
    }
  }
}
