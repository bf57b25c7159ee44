import { Text } from 'ink';
import { formatAge } from '../format/ago.js';
import type { UiState } from '../ui/state.js';
import { useTheme } from '../theme.js';

/** A production change in progress, else the last message (errors in red, never a stack trace). */
export function StatusLine({ ui, now }: { ui: UiState; now: number }) {
  const theme = useTheme();
  if (ui.busy) {
    // a message raised while production changes (a refused key, say) shows beside the progress
    const note = ui.status && ui.status.at >= ui.busy.since ? ui.status : undefined;
    return (
      <Text wrap="truncate-end">
        {note ? (
          <Text
            color={theme.color(note.tone === 'error' ? 'bad' : undefined)}
          >{`${note.tone === 'error' ? '✗' : '·'} ${note.text}  `}</Text>
        ) : null}
        <Text color={theme.color('busy')}>{`▸ ${ui.busy.title}${ui.busy.line ? `: ${ui.busy.line}` : ' …'}`}</Text>
      </Text>
    );
  }
  if (ui.filtering) return <Text wrap="truncate-end">{`/${ui.filter[ui.filtering]}▏  (Enter keeps the filter, Esc clears it)`}</Text>;
  const s = ui.status;
  if (!s) return <Text> </Text>;
  const mark = s.tone === 'error' ? '✗' : s.tone === 'ok' ? '✓' : '·';
  return (
    <Text wrap="truncate-end" color={theme.color(s.tone === 'error' ? 'bad' : s.tone === 'ok' ? 'ok' : undefined)}>
      {`${mark} ${s.text}`}
      <Text color={theme.color('dim')}>{`  (${formatAge(s.at, now)} ago)`}</Text>
    </Text>
  );
}
