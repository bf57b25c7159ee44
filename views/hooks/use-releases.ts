import { useEffect, useState } from 'react';
import type { ReleaseRecord } from '../../engine/model.js';
import type { ConsoleSource } from '../source.js';

export type ReleasesByProject = Record<string, { releases: ReleaseRecord[]; live?: ReleaseRecord } | undefined>;

/** Every project's releases, read again whenever `epoch` says they may have changed. */
export function useReleases(source: ConsoleSource, projects: string[], epoch: number, onError: (msg: string) => void): ReleasesByProject {
  const [releases, setReleases] = useState<ReleasesByProject>({});
  const key = projects.join('\n');
  useEffect(() => {
    let live = true;
    for (const p of projects) {
      source.releases(p).then(
        (r) => live && setReleases((all) => ({ ...all, [p]: r })),
        (err: Error) => live && onError(`releases of ${p}: ${err.message}`),
      );
    }
    return () => void (live = false);
  }, [source, key, epoch]);
  return releases;
}
