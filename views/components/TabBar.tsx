import { Text } from 'ink';
import { PANES, PANE_TITLE, type PaneId } from '../ui/state.js';
import { useTheme } from '../theme.js';

/** The compact layout's pane list: the focused pane inverse, a count beside each list. */
export function TabBar({ focus, counts }: { focus: PaneId; counts: Partial<Record<PaneId, string>> }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      {PANES.map((p, i) => (
        <Text key={p} inverse={p === focus} bold={p === focus} color={p === focus ? theme.focus : undefined}>
          {` ${i + 1} ${PANE_TITLE[p]}${counts[p] ? ` ${counts[p]}` : ''} `}
        </Text>
      ))}
    </Text>
  );
}
