import type { DaemonInfo } from '../../engine/control/protocol.js';
import type { EngineEvent } from '../../engine/events.js';
import type { LogLine } from '../../engine/model.js';
import type { Snapshot } from '../../engine/state.js';
import type { ConsoleSource } from '../../views/source.js';
import type { Backend } from '../backend.js';
import type { ControlClient } from '../control-client.js';

const BACKOFF_MS = [500, 1000, 2000, 3000, 5000];
/** The daemon sends a heartbeat every 15 s; this long without a byte means the stream is dead. */
const SILENCE_MS = 40_000;

/**
 * The console's view of a daemon: the `/v1/events` stream (a snapshot, then every event), read
 * again from a fresh snapshot after each reconnect; actions go through the control API as the
 * operator.
 */
export function daemonSource(client: ControlClient, backend: Backend, user: string): ConsoleSource {
  const enc = encodeURIComponent;
  return {
    user,
    connect(h) {
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
            await client.stream('GET', '/events', undefined, (m) => {
              alive();
              if (m.type === 'heartbeat') return;
              if (m.type === 'snapshot') {
                attempt = 0;
                h.onConnection({ mode: 'daemon', state: 'connected', daemon: m.daemon as DaemonInfo });
                h.onSnapshot(m.snapshot as Snapshot);
                return;
              }
              h.onEvent(m as unknown as EngineEvent);
            }, round.signal);
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
    },
    releases: (project) => backend.releases(project),
    branches: (project) => client.request<string[]>('GET', `/projects/${enc(project)}/branches`, undefined, 30_000),
    async buildLogs(id, o) {
      await client.stream('GET', `/builds/${id}/logs?follow=1`, undefined, (m) => (m.type === 'log' ? o.onLine(m as unknown as LogLine) : undefined), o.signal);
    },
    async containerLogs(id, o) {
      let failure: string | undefined;
      await client.stream('GET', `/containers/${enc(id)}/logs?tail=200&follow=1`, undefined, (m) => {
        if (m.type === 'log') o.onLine(String(m.line), m.stream === 'stderr' ? 'stderr' : 'stdout');
        if (m.type === 'error') failure = String(m.error);
      }, o.signal);
      if (failure) throw new Error(failure);
    },
    trigger: (req) => backend.trigger({ ...req, requestedBy: user }),
    cancel: (id) => backend.cancel(id, user),
    retry: (id) => backend.retry(id, user),
    rollback: (req) => backend.rollback({ project: req.project, to: req.to, requestedBy: user, log: req.log }),
  };
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') return 'no daemon answers on the control socket';
  if (code === 'EACCES') return 'no permission on the control socket (join the greenci group)';
  return (err as Error).message ?? String(err);
}
