import { useEffect, useMemo, useState } from 'react';
import type { TrafficView } from '../../engine/model.js';
import type { ConsoleSource } from '../source.js';

export type TrafficByProject = Record<string, TrafficView | undefined>;

/**
 * Where each project's production requests go (the front proxy's routes and counts), read again
 * whenever `epoch` says it may have changed (a production deployment, a canary beginning or
 * ending, a reconnect) and every `everyMs` besides (a proxy gone down). Only the latest read
 * lands; a project whose read fails shows no traffic rather than an old one.
 */
export function useTraffic(source: ConsoleSource, projects: string[], epoch: number, everyMs = 30_000): TrafficByProject {
  const [traffic, setTraffic] = useState<TrafficByProject>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  // one read of the list: a new one when the projects (by name, not by array), the epoch or the tick change
  const key = JSON.stringify(projects);
  const read = useMemo(() => ({ projects: JSON.parse(key) as string[], epoch, tick }), [key, epoch, tick]);
  useEffect(() => {
    let latest = true;
    for (const p of read.projects) {
      source.traffic(p).then(
        (t) => latest && setTraffic((all) => ({ ...all, [p]: t })),
        () => latest && setTraffic((all) => ({ ...all, [p]: undefined })),
      );
    }
    return () => void (latest = false);
  }, [source, read]);
  return traffic;
}
