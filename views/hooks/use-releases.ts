import { useEffect, useEffectEvent, useMemo, useState } from 'react';
import type { ReleaseRecord } from '../../engine/model.js';
import type { ConsoleSource } from '../source.js';

export type ReleasesByProject = Record<string, { releases: ReleaseRecord[]; live?: ReleaseRecord } | undefined>;

/** Every project's releases, read again whenever `epoch` says they may have changed. */
export function useReleases(source: ConsoleSource, projects: string[], epoch: number, onError: (msg: string) => void): ReleasesByProject {
  const [releases, setReleases] = useState<ReleasesByProject>({});
  const failed = useEffectEvent(onError);
  // one read of the list: a new one when the projects (by name, not by array) or the epoch change
  const key = JSON.stringify(projects);
  const read = useMemo(() => ({ projects: JSON.parse(key) as string[], epoch }), [key, epoch]);
  useEffect(() => {
    let live = true;
    for (const p of read.projects) {
      source.releases(p).then(
        (r) => live && setReleases((all) => ({ ...all, [p]: r })),
        (err: Error) => live && failed(`releases of ${p}: ${err.message}`),
      );
    }
    return () => void (live = false);
  }, [source, read]);
  return releases;
}
