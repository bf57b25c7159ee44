import { useMemo } from 'react';
import type { DiskReport } from '../../engine/client.js';
import type { Snapshot } from '../../engine/state.js';
import { buildRows } from '../format/build-rows.js';
import { containerRows } from '../format/container-rows.js';
import { diskRows } from '../format/disk-rows.js';
import { environmentRows } from '../format/environment-rows.js';
import { githubRows } from '../format/github-rows.js';
import { releaseRows } from '../format/release-rows.js';
import { filterRows, type Row, safeRows } from '../format/row.js';
import type { ListPane } from '../ui/state.js';
import type { ReleasesByProject } from './use-releases.js';
import type { TrafficByProject } from './use-traffic.js';

/**
 * Each list pane's rows after its filter, as shown. A pane's rows are made again only when what
 * they show changed (a container sample leaves the builds alone); a pane whose data cannot be
 * drawn says so in a row instead.
 */
export function usePaneRows(
  snapshot: Snapshot,
  widths: Record<Exclude<ListPane, 'releases'>, number>,
  now: number,
  filter: Record<ListPane, string>,
  releases: { project?: string; known?: ReleasesByProject[string] },
  traffic: TrafficByProject = {},
  disk?: DiskReport,
): Record<ListPane, Row[]> {
  const { environments, live, holds, canaries, containers, docker, health, builds, github, previews } = snapshot;
  const environmentsRows = useMemo(
    () =>
      safeRows('environments', () =>
        filterRows(
          [
            ...environmentRows(
              { environments, live, holds, canaries, previews, traffic, containers, docker, health },
              widths.environments,
              now,
            ),
            ...diskRows(disk),
            ...githubRows(github, widths.environments, now),
          ],
          filter.environments,
        ),
      ),
    [
      environments,
      live,
      holds,
      canaries,
      previews,
      traffic,
      disk,
      github,
      containers,
      docker,
      health,
      widths.environments,
      now,
      filter.environments,
    ],
  );
  const buildsRows = useMemo(
    () => safeRows('builds', () => filterRows(buildRows(builds, widths.builds, now), filter.builds)),
    [builds, widths.builds, now, filter.builds],
  );
  const containersRows = useMemo(
    () => safeRows('containers', () => filterRows(containerRows(containers, widths.containers, now), filter.containers)),
    [containers, widths.containers, now, filter.containers],
  );
  const { project, known } = releases;
  const releasesRows = useMemo(
    () =>
      project && known
        ? safeRows('releases', () => filterRows(releaseRows(project, known.releases, known.live?.id, now), filter.releases))
        : [],
    [project, known, now, filter.releases],
  );
  return { environments: environmentsRows, builds: buildsRows, containers: containersRows, releases: releasesRows };
}
