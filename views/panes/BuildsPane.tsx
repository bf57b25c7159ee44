import type { Snapshot } from '../../engine/state.js';
import { ListPane, type ListPaneProps } from '../components/ListPane.js';

/** Running and queued builds first, then the recent ones: branch, commit, who, stage, progress, duration, result. */
export function BuildsPane(p: Omit<ListPaneProps, 'id' | 'empty' | 'note'> & { snapshot: Snapshot }) {
  const running = p.snapshot.builds.filter((b) => b.status === 'running').length;
  const queued = p.snapshot.builds.filter((b) => b.status === 'queued').length;
  return <ListPane {...p} id="builds" note={`${running} running, ${queued} queued`} empty="no builds yet: push, or press t" />;
}
