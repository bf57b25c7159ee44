import { Text } from 'ink';
import type { Snapshot } from '../../engine/state.js';
import { formatAge } from '../format/ago.js';
import { oneLine } from '../format/printable.js';
import type { Connection } from '../source.js';
import { useTheme } from '../theme.js';

/** Who the console talks to and what production runs, in one line. */
export function Header({ connection, snapshot, user, now }: { connection: Connection; snapshot: Snapshot; user: string; now: number }) {
  const theme = useTheme();
  const running = snapshot.builds.filter((b) => b.status === 'running').length;
  const queued = snapshot.builds.filter((b) => b.status === 'queued').length;
  const live = Object.keys(snapshot.environments)
    .sort()
    .map((p) => `${p} ${snapshot.live[p]?.version ?? 'none'}`)
    .join(', ');
  let where: { text: string; tone: 'ok' | 'bad' | 'warn' };
  if (connection.mode === 'in-process') where = { text: 'in-process engine (no daemon): builds run in this console', tone: 'warn' };
  else if (connection.state === 'connected') where = { text: `daemon pid ${connection.daemon?.pid ?? '?'}${connection.daemon ? `, up ${formatAge(connection.daemon.startedAt, now)}` : ''}`, tone: 'ok' };
  else if (connection.state === 'connecting') where = { text: 'connecting to the daemon…', tone: 'warn' };
  else {
    const retry = connection.retryAt ? `retry in ${Math.max(0, Math.ceil((connection.retryAt - now) / 1000))}s` : 'retrying';
    where = { text: `daemon disconnected (${retry})${connection.detail ? `: ${oneLine(connection.detail)}` : ''}`, tone: 'bad' };
  }
  if (connection.mode === 'daemon' && connection.state !== 'connected') {
    // trouble first and alone: on 80 columns nothing else would leave room for it
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.color('accent')}>greenci </Text>
        <Text color={theme.color(where.tone)}>{`${where.tone === 'bad' ? '✗' : '◌'} ${where.text}`}</Text>
      </Text>
    );
  }
  const docker = snapshot.docker && !snapshot.docker.reachable ? '  Docker unreachable' : '';
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.color('accent')}>greenci </Text>
      <Text color={theme.color(where.tone)}>{`${where.tone === 'ok' ? '●' : where.tone === 'bad' ? '✗' : '◌'} ${where.text}`}</Text>
      <Text color={theme.color('bad')}>{docker}</Text>
      <Text>{`  │ live: ${live || 'no projects'}  │ ${running} running, ${queued} queued  │ ${user}`}</Text>
    </Text>
  );
}
