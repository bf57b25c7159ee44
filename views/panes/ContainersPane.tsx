import type { Snapshot } from '../../engine/state.js';
import { ListPane, type ListPaneProps } from '../components/ListPane.js';

/** Every greenci-managed container: state, health, restarts, uptime, CPU and memory, about every second. */
export function ContainersPane(p: Omit<ListPaneProps, 'id' | 'empty' | 'note'> & { snapshot: Snapshot }) {
  const d = p.snapshot.docker;
  const empty = !d ? 'asking Docker…' : d.reachable ? 'no greenci containers' : `Docker not reachable: ${d.detail ?? ''}`;
  return <ListPane {...p} id="containers" note={d ? `${p.snapshot.containers.length}` : undefined} empty={empty} />;
}
