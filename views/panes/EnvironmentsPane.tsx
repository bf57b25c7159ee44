import type { Snapshot } from '../../engine/state.js';
import { ListPane, type ListPaneProps } from '../components/ListPane.js';
import { unhealthyServices } from '../format/environment-rows.js';

/** Per project, production and test: what runs, from which commit and release, and how it is (Docker's word, or the monitor's when it says more). */
export function EnvironmentsPane(p: Omit<ListPaneProps, 'id' | 'empty' | 'note'> & { snapshot: Snapshot }) {
  const down = unhealthyServices(p.snapshot);
  return <ListPane {...p} id="environments" note={down ? `${down} not healthy` : undefined} empty="no projects in the config" />;
}
