import { Text } from 'ink';
import { useTheme } from '../theme.js';
import { Dialog } from './Dialog.js';

/** The rollback question, naming the change exactly: `production green: v0.3.1 -> v0.2.0`. */
export function ConfirmRollback({
  project,
  from,
  to,
  user,
  width,
  height,
}: {
  project: string;
  from?: string;
  to: string;
  user: string;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  return (
    <Dialog title="Roll back production?" width={width} height={height}>
      <Text> </Text>
      <Text bold color={theme.color('warn')} wrap="truncate-end">{`production ${project}: ${from ?? 'nothing live'} -> ${to}`}</Text>
      <Text> </Text>
      <Text wrap="truncate-end">{`recorded as ${user}`}</Text>
      <Text wrap="truncate-end">
        <Text bold>y</Text> roll back now <Text bold>n</Text>/Esc leave production as it is
      </Text>
    </Dialog>
  );
}

/** Quitting an in-process console stops the builds it runs; they are queued again for the next start. */
export function ConfirmQuit({ running, width, height }: { running: number[]; width: number; height: number }) {
  return (
    <Dialog title="Quit?" width={width} height={height}>
      <Text wrap="truncate-end">{`This console runs build${running.length > 1 ? 's' : ''} ${running.map((id) => `#${id}`).join(', ')} (no daemon is running).`}</Text>
      <Text wrap="truncate-end">Quitting stops them; they are queued again and run at the next start.</Text>
      <Text wrap="truncate-end">
        <Text bold>y</Text> quit anyway any other key: stay
      </Text>
    </Dialog>
  );
}
