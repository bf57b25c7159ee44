import type { Snapshot } from '../../engine/state.js';
import { ListPane, type ListPaneProps } from '../components/ListPane.js';

/** Per project, production and test: what runs, from which commit and release, and how it is. */
export function EnvironmentsPane(p: Omit<ListPaneProps, 'id' | 'empty' | 'note'> & { snapshot: Snapshot }) {
  const down = p.snapshot.containers.filter((c) => c.role !== 'test' && (c.state !== 'running' || c.health === 'unhealthy')).length;
  return <ListPane {...p} id="environments" note={down ? `${down} not healthy` : undefined} empty="no projects in the config" />;
}
