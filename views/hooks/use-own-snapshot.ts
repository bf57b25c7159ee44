import { useMemo } from 'react';
import type { Snapshot } from '../../engine/state.js';

/**
 * The snapshot as this console shows it, and this config's projects (sorted). The host may run
 * containers of other greenci installs (labelled alike): only this config's projects' are shown.
 */
export function useOwnSnapshot(all: Snapshot): { snapshot: Snapshot; projects: string[] } {
  const snapshot = useMemo(
    () =>
      all.containers.every((c) => c.project in all.environments)
        ? all
        : { ...all, containers: all.containers.filter((c) => c.project in all.environments) },
    [all],
  );
  const { environments } = snapshot;
  const projects = useMemo(() => Object.keys(environments).sort(), [environments]);
  return { snapshot, projects };
}
