import { useEffect, useRef, useState } from 'react';
import type { EngineEvent } from '../../engine/events.js';
import { emptySnapshot, reduce, type Snapshot } from '../../engine/state.js';
import type { Connection, ConsoleSource } from '../source.js';

const KNOWN = new Set(['build.updated', 'stage.updated', 'log', 'deployment.updated', 'release.created', 'delivery', 'smee.state', 'containers']);

export interface EngineData {
  snapshot: Snapshot;
  connection: Connection;
  /** Changes when releases may have changed (a release, a production deployment, a reconnect). */
  releasesEpoch: number;
  /** Changes on every (re)connect: streams that ended with the connection start again. */
  connectEpoch: number;
  /** Events that could not be applied (malformed); the console carries on. */
  dropped: number;
}

/**
 * The snapshot, kept current by folding events through the engine's own reducer. Renders at most
 * every `frameMs`: a burst of events (log lines, container samples) is one frame, not hundreds.
 */
export function useEngineData(source: ConsoleSource, frameMs = 100): EngineData {
  const [data, setData] = useState<EngineData>({ snapshot: emptySnapshot(), connection: { mode: 'daemon', state: 'connecting' }, releasesEpoch: 0, connectEpoch: 0, dropped: 0 });
  const latest = useRef(data);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let lastFlush = 0;
    const flush = () => {
      timer = undefined;
      lastFlush = Date.now();
      setData(latest.current);
    };
    const schedule = (urgent = false) => {
      if (timer) return;
      const wait = urgent ? 0 : Math.max(0, frameMs - (Date.now() - lastFlush));
      timer = setTimeout(flush, wait);
    };
    const update = (fn: (d: EngineData) => EngineData, urgent = false) => {
      latest.current = fn(latest.current);
      schedule(urgent);
    };
    const stop = source.connect({
      onConnection: (connection) =>
        update((d) => ({ ...d, connection, connectEpoch: connection.state === 'connected' && d.connection.state !== 'connected' ? d.connectEpoch + 1 : d.connectEpoch }), true),
      onSnapshot: (snapshot) => update((d) => ({ ...d, snapshot: { ...emptySnapshot(), ...snapshot }, releasesEpoch: d.releasesEpoch + 1 }), true),
      onEvent: (e: EngineEvent) =>
        update((d) => {
          if (!e || typeof e !== 'object' || !KNOWN.has((e as { type?: string }).type ?? '')) return { ...d, dropped: d.dropped + 1 };
          if (e.type === 'log' || e.type === 'delivery') return d;
          try {
            const snapshot = reduce(d.snapshot, e);
            const releasesChanged = e.type === 'release.created' || (e.type === 'deployment.updated' && e.deployment?.env === 'production' && e.deployment.status !== 'running');
            return { ...d, snapshot, releasesEpoch: releasesChanged ? d.releasesEpoch + 1 : d.releasesEpoch };
          } catch {
            return { ...d, dropped: d.dropped + 1 };
          }
        }),
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [source, frameMs]);
  return data;
}
