import { Text } from 'ink';
import stringWidth from 'string-width';
import type { Snapshot } from '../../engine/state.js';
import { formatAge } from '../format/ago.js';
import { healthCounts } from '../format/health.js';
import { oneLine } from '../format/printable.js';
import type { Tone } from '../format/row.js';
import type { Connection } from '../source.js';
import { useTheme } from '../theme.js';

interface Part {
  /** Which part this is (a part may be dropped, so its place in the line is not who it is). */
  key: string;
  text: string;
  tone?: Tone;
  bold?: boolean;
  /** Parts with a higher number go first when the line is too long; absent: never dropped. */
  drop?: number;
}

/** The parts that fit `width` columns, dropping the least important first (the line is cut only if the rest still does not fit). */
export function fitParts(parts: Part[], width: number): Part[] {
  let kept = parts;
  const wide = () => kept.reduce((w, p) => w + stringWidth(p.text), 0) > width;
  while (wide()) {
    const next = Math.max(...kept.map((p) => p.drop ?? 0));
    if (next <= 0) break;
    kept = kept.filter((p) => p.drop !== next);
  }
  return kept;
}

/** Who the console talks to, what the monitor finds down, what production runs, in one line. */
export function Header({
  connection,
  snapshot,
  user,
  now,
  width = 80,
}: {
  connection: Connection;
  snapshot: Snapshot;
  user: string;
  now: number;
  width?: number;
}) {
  const theme = useTheme();
  const running = snapshot.builds.filter((b) => b.status === 'running').length;
  const queued = snapshot.builds.filter((b) => b.status === 'queued').length;
  const live = Object.keys(snapshot.environments)
    .sort()
    .map((p) => `${p} ${snapshot.live[p]?.version ?? 'none'}`)
    .join(', ');
  let where: { text: string; tone: 'ok' | 'bad' | 'warn' };
  if (connection.mode === 'in-process') where = { text: 'in-process engine (no daemon): builds run in this console', tone: 'warn' };
  else if (connection.state === 'connected')
    where = {
      text: `daemon pid ${connection.daemon?.pid ?? '?'}${connection.daemon ? `, up ${formatAge(connection.daemon.startedAt, now)}` : ''}`,
      tone: 'ok',
    };
  else if (connection.state === 'connecting') where = { text: 'connecting to the daemon…', tone: 'warn' };
  else {
    const retry = connection.retryAt ? `retry in ${Math.max(0, Math.ceil((connection.retryAt - now) / 1000))}s` : 'retrying';
    where = { text: `daemon disconnected (${retry})${connection.detail ? `: ${oneLine(connection.detail)}` : ''}`, tone: 'bad' };
  }
  if (connection.mode === 'daemon' && connection.state !== 'connected') {
    // trouble first and alone: on 80 columns nothing else would leave room for it
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.color('accent')}>
          greenci{' '}
        </Text>
        <Text color={theme.color(where.tone)}>{`${where.tone === 'bad' ? '✗' : '◌'} ${where.text}`}</Text>
      </Text>
    );
  }
  const { down, degraded } = healthCounts(snapshot.health ?? {});
  const parts: Part[] = [
    { key: 'name', text: 'greenci ', tone: 'accent', bold: true },
    { key: 'where', text: `${where.tone === 'ok' ? '●' : where.tone === 'bad' ? '✗' : '◌'} ${where.text}`, tone: where.tone },
  ];
  if (snapshot.docker && !snapshot.docker.reachable) parts.push({ key: 'docker', text: '  Docker unreachable', tone: 'bad' });
  // what the monitor finds failing comes before everything that may give way on a narrow terminal
  if (down || degraded) parts.push({ key: 'health', text: '  │ ' });
  if (down) parts.push({ key: 'down', text: `✗ ${down} down`, tone: 'bad', bold: true });
  if (down && degraded) parts.push({ key: 'and', text: ', ' });
  if (degraded) parts.push({ key: 'degraded', text: `${degraded} degraded`, tone: 'warn', bold: true });
  parts.push(
    { key: 'live', text: `  │ live: ${live || 'no projects'}`, drop: 1 },
    { key: 'builds', text: `  │ ${running} running, ${queued} queued`, drop: 2 },
    { key: 'user', text: `  │ ${user}`, drop: 3 },
  );
  return (
    <Text wrap="truncate-end">
      {fitParts(parts, width).map((p) => (
        <Text key={p.key} color={theme.color(p.tone)} bold={p.bold}>
          {p.text}
        </Text>
      ))}
    </Text>
  );
}
