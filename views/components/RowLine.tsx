import { Text } from 'ink';
import { memo } from 'react';
import type { Row } from '../format/row.js';
import { useTheme } from '../theme.js';

/** One list row, cut to the pane's width; the selected one inverse (visible with or without colour). */
/** Memoised: an unchanged row (same record, same selection) is not rendered again. */
export const RowLine = memo(function RowLine({ row, selected }: { row: Row; selected?: boolean }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {row.segments.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row's segments are a fixed sequence with no identity but their place (never reordered, rebuilt with the row); keying by place lets an updated row keep its Text nodes
        <Text key={i} color={theme.color(s.tone)} bold={s.bold}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
});
