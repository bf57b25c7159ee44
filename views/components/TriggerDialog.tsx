import { Text } from 'ink';
import { branchChoices } from '../ui/keys.js';
import type { Overlay } from '../ui/state.js';
import { printable } from '../format/printable.js';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';

type TriggerOverlay = Extract<Overlay, { kind: 'trigger-project' | 'trigger-branch' }>;

/** Choose the project, then the branch (type to narrow, or a branch name the remote does not list yet). */
export function TriggerDialog({ o, width, height }: { o: TriggerOverlay; width: number; height: number }) {
  const theme = useTheme();
  const room = Math.max(1, height - 6);
  if (o.kind === 'trigger-project') {
    return (
      <Dialog title="Trigger a build: which project?" width={width} height={height}>
        {o.projects.slice(0, room).map((p, i) => (
          <Text key={p} inverse={i === o.index} wrap="truncate-end">{` ${p} `}</Text>
        ))}
        <Text color={theme.color('dim')}>↑↓ choose, Enter next, Esc cancel</Text>
      </Dialog>
    );
  }
  const choices = branchChoices(o);
  const from = Math.max(0, Math.min(o.index - Math.floor(room / 2), choices.length - room));
  return (
    <Dialog title={`Trigger a build of ${o.project}: which branch?`} width={width} height={height}>
      <Text wrap="truncate-end">{`branch: ${printable(o.typed)}▏`}</Text>
      {o.error ? <Text color={theme.color('bad')} wrap="truncate-end">{`could not list branches: ${o.error}`}</Text> : null}
      {!o.branches && !o.error ? <Text color={theme.color('dim')}>listing the remote's branches…</Text> : null}
      {choices.slice(from, from + room).map((b, i) => (
        <Text key={b} inverse={from + i === o.index} wrap="truncate-end">{` ${printable(b)} `}</Text>
      ))}
      <Text color={theme.color('dim')}>type to narrow, ↑↓ choose, Enter build it, Esc cancel</Text>
    </Dialog>
  );
}
