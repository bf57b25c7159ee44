import { emptySnapshot, type Snapshot } from '../state.js';
import type { Store } from '../store/index.js';

/** The snapshot a new engine starts from: the last builds, health, and each project's environments, live release and hold. */
export function seedSnapshot(store: Store, projects: string[]): Snapshot {
  let s = emptySnapshot();
  s.builds = store.builds.list({ limit: 100 });
  s.health = Object.fromEntries(store.health.all().map((h) => [h.key, h]));
  for (const p of projects) s = { ...s, ...seedProject(s, store, p) };
  return s;
}

/** One project's part of the snapshot (a project a reloaded config added gets it too). */
export function seedProject(s: Snapshot, store: Store, p: string): Pick<Snapshot, 'environments' | 'live' | 'holds' | 'previews'> {
  const [test] = store.releases.deployments(p, 'test', 1);
  const [production] = store.releases.deployments(p, 'production', 1);
  const live = store.releases.liveRelease(p);
  const { [p]: _before, ...holds } = s.holds;
  const hold = store.holds.current(p);
  return {
    holds: hold ? { ...holds, [p]: hold } : holds,
    environments: { ...s.environments, [p]: { test, production } },
    previews: { ...s.previews, [p]: store.previews.list(p) },
    live: { ...s.live, [p]: live && { version: live.version, releaseId: live.id } },
  };
}
