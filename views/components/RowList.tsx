import { Box, Text } from 'ink';
import type { Row } from '../format/row.js';
import { useTheme } from '../theme.js';
import { RowLine } from './RowLine.js';

/** The window of rows that fits `height`, kept around the selection. */
export function visibleWindow(count: number, selected: number, height: number): [number, number] {
  if (count <= height) return [0, count];
  const half = Math.floor(height / 2);
  const start = Math.max(0, Math.min(count - height, selected - half));
  return [start, start + height];
}

/** A scrolling list: only the rows that fit are rendered, whatever the list's length. */
export function RowList({
  rows,
  selected,
  height,
  showSelection,
  empty,
}: {
  rows: Row[];
  selected: number;
  height: number;
  showSelection: boolean;
  empty: string;
}) {
  const theme = useTheme();
  if (!rows.length) return <Text color={theme.color('dim')}>{empty}</Text>;
  const [from, to] = visibleWindow(rows.length, selected, Math.max(1, height));
  return (
    <Box flexDirection="column">
      {rows.slice(from, to).map((r, i) => (
        <RowLine key={r.key} row={r} selected={showSelection && from + i === selected} />
      ))}
    </Box>
  );
}
