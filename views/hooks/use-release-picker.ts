import { useEffect, useMemo } from 'react';
import type { Snapshot } from '../../engine/state.js';
import type { ConsoleSource } from '../source.js';
import { pickerSelection } from '../ui/keys.js';
import { say, type UiState } from '../ui/state.js';
import { type ReleasesByProject, useReleases } from './use-releases.js';
import type { UpdateUi } from './use-ui-state.js';

/**
 * The releases the Releases pane and the rollback picker show: each project's list as read from
 * the source, the live one as the snapshot says (current to the event). A pick asked for (`r`)
 * before its project's releases arrived places its cursor when they do; a failed read says so and
 * stops waiting.
 */
export function useReleasePicker(
  source: ConsoleSource,
  projects: string[],
  epoch: number,
  live: Snapshot['live'],
  read: () => UiState,
  update: UpdateUi,
): ReleasesByProject {
  const fetched = useReleases(source, projects, epoch, (msg) => update((u) => say({ ...u, pickPending: undefined }, msg, 'error')));
  const releases = useMemo(() => {
    const out: ReleasesByProject = {};
    for (const [p, r] of Object.entries(fetched)) {
      const liveId = live[p]?.releaseId;
      out[p] = r && { ...r, live: liveId === undefined ? undefined : (r.releases.find((x) => x.id === liveId) ?? r.live) };
    }
    return out;
  }, [fetched, live]);
  useEffect(() => {
    const p = read().pickPending;
    const known = p ? releases[p] : undefined;
    if (!p || !known) return;
    const msg =
      known.releases.length < 2
        ? `${p} has no earlier release to roll back to`
        : `pick the release for production ${p}, Enter to roll back`;
    update((u) =>
      say(
        { ...u, pickPending: undefined, selected: { ...u.selected, releases: pickerSelection(p, known) } },
        msg,
        known.releases.length < 2 ? 'error' : 'info',
      ),
    );
  }, [releases, read, update]);
  return releases;
}
