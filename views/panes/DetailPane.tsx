import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import type { BuildRecord, ContainerRow } from '../../engine/model.js';
import { Pane } from '../components/Pane.js';
import { STATUS_ICON, STATUS_TONE, buildActor, buildDuration, stageStrip } from '../format/build-rows.js';
import { containerHealth, containerSince } from '../format/container-rows.js';
import { formatDuration } from '../../engine/duration.js';
import { printable } from '../format/printable.js';
import type { Tone } from '../format/row.js';
import type { DetailLine } from '../source.js';
import { innerRows, type Box as PaneBox } from '../ui/layout.js';
import type { Detail } from '../ui/state.js';
import { useTheme } from '../theme.js';

const STAGE_TONE: Record<string, Tone> = {
  success: 'ok',
  failed: 'bad',
  running: 'busy',
  cancelled: 'warn',
  skipped: 'dim',
  pending: 'dim',
};

export interface DetailPaneProps {
  box: PaneBox;
  focused: boolean;
  detail?: Detail;
  build?: BuildRecord;
  container?: ContainerRow;
  lines: DetailLine[];
  ended: boolean;
  error?: string;
  /** Lines scrolled up from the end; 0 follows. */
  scroll: number;
  now: number;
}

/** Lines above the log: the subject's title (and stages, and why it failed), and an error line. The key handler scrolls by the same count. */
export function detailRoom(box: PaneBox, detail: Detail | undefined, build: BuildRecord | undefined, error: string | undefined): number {
  let head = detail ? 1 : 0;
  if (detail?.kind === 'build' && build)
    head = 2 + (build.reason && (build.status === 'failed' || build.status === 'cancelled' || build.status === 'success') ? 1 : 0);
  return Math.max(1, innerRows(box) - head - (error ? 1 : 0));
}

/** The selected build's stages and its log, or the selected container's output, following live. */
export function DetailPane(p: DetailPaneProps) {
  const theme = useTheme();
  const head: ReactElement[] = [];
  if (p.detail?.kind === 'build') {
    const b = p.build;
    if (b) {
      head.push(
        <Text key="t" wrap="truncate-end">
          <Text color={theme.color(STATUS_TONE[b.status])}>{`${STATUS_ICON[b.status]} ${b.status}`}</Text>
          {`  #${b.id} ${b.project} ${printable(b.branch)} ${(b.sha ?? b.requestedSha ?? '').slice(0, 7)} ${printable(b.commitSubject ?? b.push?.headMessage?.split('\n')[0] ?? '')}  by ${buildActor(b)}  ${formatDuration(buildDuration(b, p.now))}`}
        </Text>,
        <Text key="s" wrap="truncate-end">
          {b.stages.map((s) => (
            <Text key={s.name} color={theme.color(STAGE_TONE[s.status])}>
              {`${stageStrip([s])[0].text} ${s.name}${s.startedAt ? ` ${formatDuration((s.finishedAt ?? p.now) - s.startedAt)}` : ''}  `}
            </Text>
          ))}
        </Text>,
      );
      if (b.reason && (b.status === 'failed' || b.status === 'cancelled'))
        head.push(
          <Text key="r" wrap="truncate-end" color={theme.color('bad')}>
            {printable(b.reason.split('\n')[0])}
          </Text>,
        );
      // a success with a reason: its release is live, but something did not go to plan (its tag not pushed)
      else if (b.reason && b.status === 'success')
        head.push(
          <Text key="r" wrap="truncate-end" color={theme.color('warn')}>
            {printable(b.reason.split('\n')[0])}
          </Text>,
        );
    } else head.push(<Text key="t">{`build #${p.detail.id}`}</Text>);
  } else if (p.detail?.kind === 'container') {
    const c = p.container;
    const h = c ? containerHealth(c) : undefined;
    head.push(
      <Text key="t" wrap="truncate-end">
        {`${p.detail.name}  `}
        {c && h ? <Text color={theme.color(h.tone)}>{h.word}</Text> : <Text color={theme.color('dim')}>gone</Text>}
        {c ? `  ${containerSince(c, p.now)}  ${c.image}  restarts ${c.restarts}` : ''}
      </Text>,
    );
  }
  const room = detailRoom(p.box, p.detail, p.build, p.error);
  const end = Math.max(0, p.lines.length - p.scroll);
  const shown = p.lines.slice(Math.max(0, end - room), end);
  const note = !p.detail ? undefined : p.scroll ? `scrolled up ${p.scroll} (G: follow)` : p.ended ? 'end of log' : 'following';
  return (
    <Pane n={4} title="Detail" focused={p.focused} width={p.box.width} height={p.box.height} note={note}>
      {!p.detail ? (
        <Text color={theme.color('dim')}>Enter on a build or a container shows it here</Text>
      ) : (
        <Box flexDirection="column">
          {head}
          {p.error ? (
            <Text color={theme.color('bad')} wrap="truncate-end">
              {printable(p.error).slice(0, 500)}
            </Text>
          ) : null}
          {shown.map((l) => (
            <Text
              key={l.key}
              wrap="truncate-end"
              color={theme.color(l.stream === 'stderr' ? 'warn' : l.stream === 'system' ? 'accent' : undefined)}
            >
              {l.text || ' '}
            </Text>
          ))}
          {!shown.length && !p.error ? <Text color={theme.color('dim')}>{p.ended ? '(no output)' : 'waiting for output…'}</Text> : null}
        </Box>
      )}
    </Pane>
  );
}
