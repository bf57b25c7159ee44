import type { DockerEvent, DockerPort } from '../docker/port.js';

export interface EventFeedOptions {
  docker: Pick<DockerPort, 'events'>;
  filters: Record<string, string[]>;
  /** Ends the feed (and any wait before reconnecting). */
  signal: AbortSignal;
  onEvent(e: DockerEvent): void;
  /** The stream is (again) open: events from now on arrive; what happened before may have been missed. */
  onOpen(): void;
  /** The stream ended or could not be opened; a reconnect follows. */
  onDown(): void;
  /** Wait before reconnecting: doubles from min to max; back to min after a stream that stayed up 10 s. */
  backoffMs: { min: number; max: number };
}

export interface EventFeed {
  /** Resolves when the signal ended the feed. */
  readonly done: Promise<void>;
  /** Whether the stream is open right now. */
  readonly up: boolean;
  /** Reconnect now instead of at the end of the current wait (Docker answers again). */
  wake(): void;
}

/** Docker's event stream, kept open: reconnects with backoff whenever it ends or breaks. */
export function keepEventsOpen(o: EventFeedOptions): EventFeed {
  let up = false;
  let wake: (() => void) | undefined;
  const loop = async () => {
    let wait = o.backoffMs.min;
    while (!o.signal.aborted) {
      const opened = Date.now();
      try {
        await o.docker.events(o.filters, o.signal, o.onEvent, () => ((up = true), o.onOpen()));
      } catch {
        // reconnect below; whoever listens learns about Docker's reachability elsewhere
      }
      up = false;
      if (o.signal.aborted) return;
      o.onDown();
      if (Date.now() - opened > 10_000) wait = o.backoffMs.min;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => finish(), wait);
        const finish = () => (clearTimeout(t), o.signal.removeEventListener('abort', finish), (wake = undefined), resolve());
        o.signal.addEventListener('abort', finish, { once: true });
        wake = finish;
      });
      wait = Math.min(wait * 2, o.backoffMs.max);
    }
  };
  const done = loop();
  return {
    done,
    get up() {
      return up;
    },
    wake: () => wake?.(),
  };
}
