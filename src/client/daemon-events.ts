import type { DaemonInfo } from '../../engine/api.js';
import type { ConnectHandlers } from '../../engine/client.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Snapshot } from '../../engine/state.js';
import type { ControlClient } from '../control-client.js';

const BACKOFF_MS = [500, 1000, 2000, 3000, 5000];
/** The daemon sends a heartbeat every 15 s; this long without a byte means the stream is dead. */
const SILENCE_MS = 40_000;

/**
 * The daemon's `/v1/events` stream (a snapshot, then every event), read again from a fresh
 * snapshot after each reconnect, with a growing pause between attempts. Returns a stop function.
 */
export function followEvents(client: ControlClient, h: ConnectHandlers): () => void {
  const stop = new AbortController();
  void (async () => {
    let attempt = 0;
    while (!stop.signal.aborted) {
      h.onConnection({ mode: 'daemon', state: 'connecting' });
      const round = new AbortController();
      const onStop = () => round.abort();
      stop.signal.addEventListener('abort', onStop, { once: true });
      let silence: NodeJS.Timeout | undefined;
      const alive = () => {
        clearTimeout(silence);
        silence = setTimeout(() => round.abort(new Error('the daemon stopped answering')), SILENCE_MS);
      };
      let detail = 'the daemon closed the connection';
      try {
        alive();
        await client.stream(
          'GET',
          '/events',
          undefined,
          (m) => {
            alive();
            if (m.type === 'heartbeat') return;
            if (m.type === 'snapshot') {
              attempt = 0;
              h.onConnection({ mode: 'daemon', state: 'connected', daemon: m.daemon as DaemonInfo });
              h.onSnapshot(m.snapshot as Snapshot);
              return;
            }
            h.onEvent(m as unknown as EngineEvent);
          },
          round.signal,
        );
        if (round.signal.reason instanceof Error) detail = round.signal.reason.message;
      } catch (err) {
        detail = describe(err);
      } finally {
        clearTimeout(silence);
        stop.signal.removeEventListener('abort', onStop);
      }
      if (stop.signal.aborted) return;
      const wait = BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)];
      h.onConnection({ mode: 'daemon', state: 'disconnected', detail, retryAt: Date.now() + wait });
      await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return () => stop.abort();
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') return 'no daemon answers on the control socket';
  if (code === 'EACCES') return 'no permission on the control socket (join the greenci group)';
  return (err as Error).message ?? String(err);
}
