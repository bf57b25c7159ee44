import type { Row } from '../format/row.js';
import { innerRows, type Box } from '../ui/layout.js';
import { PANES, PANE_TITLE, type ListPane as ListPaneId } from '../ui/state.js';
import { Pane } from './Pane.js';
import { RowList } from './RowList.js';

export interface ListPaneProps {
  id: ListPaneId;
  box: Box;
  focused: boolean;
  rows: Row[];
  selected: number;
  filter: string;
  /** Extra words in the title line (counts, the project shown). */
  note?: string;
  empty: string;
}

/** A list pane: title with its filter, then the window of rows around the selection. */
export function ListPane(p: ListPaneProps) {
  const note = [p.note, p.filter ? `filter /${p.filter}` : ''].filter(Boolean).join('  ');
  return (
    <Pane n={PANES.indexOf(p.id) + 1} title={PANE_TITLE[p.id]} focused={p.focused} width={p.box.width} height={p.box.height} note={note}>
      <RowList
        rows={p.rows}
        selected={p.selected}
        height={innerRows(p.box)}
        showSelection={p.focused}
        empty={p.filter ? 'nothing matches the filter' : p.empty}
      />
    </Pane>
  );
}
