import { useEffect, useRef, useState } from 'react';
import type { EngineEvent } from '../../engine/events.js';
import { emptySnapshot, reduce, type Snapshot } from '../../engine/state.js';
import { cleanHealth, wellFormedHealth } from '../format/health.js';
import type { Connection, ConsoleSource } from '../source.js';

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Whether an event carries what the reducer and the panes rely on; anything else is dropped and counted. */
export function wellFormed(e: unknown): e is EngineEvent {
  if (!isObj(e) || !KNOWN.has(String(e.type))) return false;
  switch (e.type) {
    case 'build.updated':
      return (
        isObj(e.build) &&
        typeof e.build.id === 'number' &&
        typeof e.build.status === 'string' &&
        typeof e.build.branch === 'string' &&
        Array.isArray(e.build.stages)
      );
    case 'stage.updated':
      return typeof e.buildId === 'number' && isObj(e.stage) && typeof e.stage.name === 'string';
    case 'deployment.updated':
      return isObj(e.deployment) && typeof e.deployment.project === 'string' && typeof e.deployment.env === 'string';
    case 'containers':
      return (
        Array.isArray(e.containers) &&
        e.containers.every(
          (c) =>
            isObj(c) &&
            typeof c.id === 'string' &&
            typeof c.name === 'string' &&
            typeof c.project === 'string' &&
            typeof c.image === 'string',
        ) &&
        isObj(e.docker)
      );
    case 'smee.state':
      return typeof e.project === 'string' && isObj(e.state);
    case 'health.updated':
      return wellFormedHealth(e.health);
    case 'health.removed':
      return typeof e.key === 'string';
    case 'health.alerts':
      return Array.isArray(e.alerts);
    case 'github.reporting':
      return isObj(e.reporting) && typeof e.reporting.pending === 'number';
    case 'pull_request.updated':
      return (
        isObj(e.pullRequest) &&
        typeof e.pullRequest.project === 'string' &&
        typeof e.pullRequest.number === 'number' &&
        typeof e.pullRequest.state === 'string'
      );
    case 'preview.updated':
      return (
        typeof e.project === 'string' &&
        typeof e.branch === 'string' &&
        (e.preview === undefined ||
          (isObj(e.preview) &&
            e.preview.project === e.project &&
            e.preview.branch === e.branch &&
            typeof e.preview.envKey === 'string' &&
            typeof e.preview.state === 'string' &&
            typeof e.preview.buildId === 'number' &&
            typeof e.preview.sha === 'string' &&
            isObj(e.preview.ports) &&
            typeof e.preview.createdAt === 'number' &&
            typeof e.preview.updatedAt === 'number' &&
            (e.preview.endpoints === undefined || isObj(e.preview.endpoints))))
      );
    case 'hold.updated':
      return isObj(e.hold) && typeof e.hold.project === 'string' && typeof e.hold.by === 'string';
    case 'canary.updated':
      return (
        isObj(e.canary) &&
        typeof e.canary.project === 'string' &&
        typeof e.canary.version === 'string' &&
        typeof e.canary.weight === 'number' &&
        isObj(e.canary.canary) &&
        isObj(e.canary.liveTraffic)
      );
    default:
      return true;
  }
}

/** A snapshot the panes can draw: the lists are lists and the maps are maps (`health` may be absent: an older daemon). */
export function wellFormedSnapshot(s: unknown): s is Snapshot {
  return (
    isObj(s) &&
    Array.isArray(s.builds) &&
    isObj(s.environments) &&
    isObj(s.live) &&
    (s.containers === undefined || Array.isArray(s.containers)) &&
    (s.health === undefined || s.health === null || isObj(s.health)) &&
    (s.holds === undefined || isObj(s.holds)) &&
    (s.canaries === undefined || isObj(s.canaries))
  );
}

const KNOWN = new Set([
  'build.updated',
  'stage.updated',
  'log',
  'deployment.updated',
  'release.created',
  'delivery',
  'smee.state',
  'containers',
  'health.updated',
  'health.removed',
  'health.alerts',
  'hold.updated',
  'canary.updated',
  'release.updated',
  'audit',
  'github.reporting',
  'pull_request.updated',
  'preview.updated',
]);

export interface EngineData {
  snapshot: Snapshot;
  connection: Connection;
  /** Changes when releases may have changed (a release, a production deployment, a hold, a reconnect). */
  releasesEpoch: number;
  /** Changes when where production's requests go may have changed (a production deployment, a canary beginning or ending, a reconnect). */
  trafficEpoch: number;
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
  const [data, setData] = useState<EngineData>({
    snapshot: emptySnapshot(),
    connection: { mode: 'daemon', state: 'connecting' },
    releasesEpoch: 0,
    trafficEpoch: 0,
    connectEpoch: 0,
    dropped: 0,
  });
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
        update(
          (d) => ({
            ...d,
            connection,
            connectEpoch: connection.state === 'connected' && d.connection.state !== 'connected' ? d.connectEpoch + 1 : d.connectEpoch,
          }),
          true,
        ),
      onSnapshot: (snapshot) =>
        update(
          (d) =>
            wellFormedSnapshot(snapshot)
              ? {
                  ...d,
                  snapshot: { ...emptySnapshot(), ...snapshot, health: cleanHealth(snapshot.health) },
                  releasesEpoch: d.releasesEpoch + 1,
                  trafficEpoch: d.trafficEpoch + 1,
                }
              : { ...d, dropped: d.dropped + 1 },
          true,
        ),
      onEvent: (e: EngineEvent) =>
        update((d) => {
          if (!wellFormed(e)) return { ...d, dropped: d.dropped + 1 };
          if (e.type === 'log' || e.type === 'delivery' || e.type === 'health.alerts') return d;
          try {
            const snapshot = reduce(d.snapshot, e);
            const releasesChanged =
              e.type === 'release.created' ||
              e.type === 'hold.updated' ||
              (e.type === 'deployment.updated' && e.deployment?.env === 'production' && e.deployment.status !== 'running');
            // a canary reports every second: only its beginning and its end move the proxy
            const trafficChanged =
              (e.type === 'deployment.updated' && e.deployment.env === 'production') ||
              (e.type === 'canary.updated' && (!!e.canary.outcome || !d.snapshot.canaries?.[e.canary.project]));
            return {
              ...d,
              snapshot,
              releasesEpoch: releasesChanged ? d.releasesEpoch + 1 : d.releasesEpoch,
              trafficEpoch: trafficChanged ? d.trafficEpoch + 1 : d.trafficEpoch,
            };
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
