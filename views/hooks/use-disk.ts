import { useEffect, useMemo, useState } from 'react';
import type { DiskReport } from '../../engine/client.js';
import type { ConsoleSource } from '../source.js';

/**
 * What greenci takes on disk and the free space left, read at start, whenever `epoch` says it may
 * have changed (a production deployment: a release adds images, a prune after it removes some),
 * and every `everyMs` besides. Reading it asks Docker for its disk usage, which takes a second or
 * more on a busy engine, so it is read seldom. A failed read keeps the last one.
 */
export function useDisk(source: ConsoleSource, epoch: number, everyMs = 60_000): DiskReport | undefined {
  const [disk, setDisk] = useState<DiskReport | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  // one read each time the epoch or the tick changes
  const read = useMemo(() => ({ epoch, tick }), [epoch, tick]);
  useEffect(() => {
    if (!source.disk || !read) return;
    let latest = true;
    source.disk().then(
      (d) => latest && setDisk(d),
      () => undefined,
    );
    return () => void (latest = false);
  }, [source, read]);
  return disk;
}
