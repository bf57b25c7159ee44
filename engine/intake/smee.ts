import { SmeeClient } from 'smee-client';
import type { SmeeState } from '../events.js';

export interface SmeeRelayOptions {
  channel: string;
  /** Our own webhook endpoint, e.g. `http://127.0.0.1:8080/webhook?via=smee`. */
  target: string;
  onState: (s: SmeeState) => void;
  /** How often a closed connection is retried (doubling up to 60 s). */
  retryMs?: number;
}

/**
 * Forwards a smee.io channel to the webhook endpoint with smee-client, and keeps it connected:
 * the client's EventSource retries network errors itself; when the server ends the stream for
 * good (an error status), this relay starts a new client, backing off up to a minute.
 * Deliveries sent while disconnected are lost by smee.io: reconciliation finds those pushes.
 */
export class SmeeRelay {
  private client?: SmeeClient;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private delay: number;
  private state: SmeeState['state'] = 'connecting';

  constructor(private readonly o: SmeeRelayOptions) {
    this.delay = o.retryMs ?? 1000;
  }

  get channel(): string {
    return this.o.channel;
  }

  start(): void {
    this.connect();
  }

  private set(state: SmeeState['state'], detail?: string): void {
    if (state === this.state && state !== 'disconnected') return;
    this.state = state;
    // the state event is the log: the daemon writes each one to the journal
    this.o.onState({ state, since: Date.now(), channel: this.o.channel, detail });
  }

  private connect(): void {
    if (this.stopped) return;
    const quiet = { info: () => undefined, error: () => undefined };
    const client = new SmeeClient({ source: this.o.channel, target: this.o.target, logger: quiet });
    this.client = client;
    this.set('connecting');
    client.onopen = () => {
      this.delay = this.o.retryMs ?? 1000;
      this.set('connected');
    };
    client.onerror = (ev) => {
      if (this.client !== client) return;
      const detail = (ev as { message?: string; code?: number }).message ?? 'connection error';
      this.set('disconnected', detail);
      this.watch(client);
    };
    client.start().catch((err: Error) => {
      if (this.client !== client) return;
      this.set('disconnected', err.message);
      this.watch(client);
    });
  }

  /** If the client gave up (EventSource CLOSED), replace it after a backoff. */
  private watch(client: SmeeClient): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.stopped || this.client !== client || this.state === 'connected') return;
      void client.stop().catch(() => undefined);
      this.delay = Math.min(this.delay * 2, 60_000);
      this.connect();
    }, this.delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.stop().catch(() => undefined);
  }
}
