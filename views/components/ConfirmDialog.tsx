import { Text } from 'ink';
import { formatAge } from '../format/ago.js';
import { printable } from '../format/printable.js';
import { useTheme } from '../theme.js';
import { canaryFor, canarySentence, MAX_CANARY_WEIGHT } from '../ui/canary-choice.js';
import { noCanaryReason } from '../ui/release-key.js';
import type { CanaryOverlay, ReleaseOverlay } from '../ui/state.js';
import { Dialog } from './Dialog.js';

/**
 * The rollback question, naming the change exactly: `production green: v0.3.1 -> v0.2.0`; and,
 * when the target is older than production's data, that a rollback keeps today's data.
 */
export function ConfirmRollback({
  project,
  from,
  to,
  dataNote,
  user,
  width,
  height,
}: {
  project: string;
  from?: string;
  to: string;
  dataNote?: string;
  user: string;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  return (
    <Dialog title="Roll back production?" width={width} height={height}>
      <Text> </Text>
      <Text bold color={theme.color('warn')} wrap="truncate-end">{`production ${project}: ${from ?? 'nothing live'} -> ${to}`}</Text>
      {dataNote ? <Text wrap="wrap">{printable(dataNote)}</Text> : null}
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

/**
 * The release question (`p`): the build to release and what production runs now, the hold it
 * lifts; `l` lifts the hold alone when there is one. With `c`, a canary of the operator's choosing:
 * its share and duration, and in one sentence what will happen.
 */
export function ConfirmRelease({
  o,
  user,
  width,
  height,
  now,
}: {
  o: ReleaseOverlay;
  user: string;
  width: number;
  height: number;
  now: number;
}) {
  const theme = useTheme();
  const what = o.build
    ? printable(
        `production ${o.project}: ${o.from ?? 'nothing live'} -> build #${o.build.id} ${o.build.sha.slice(0, 7)}${o.build.subject ? ` "${o.build.subject}"` : ''}`,
      )
    : `production ${o.project}: no build to release`;
  const noCanary = noCanaryReason(o);
  const c = noCanary ? undefined : o.canary;
  const title = !o.build ? 'Lift the hold?' : c ? 'Release to production as a canary?' : 'Release to production?';
  const pick = (text: string) => (
    <Text inverse bold>
      {` ${text} `}
    </Text>
  );
  return (
    <Dialog title={title} width={width} height={height}>
      <Text bold color={theme.color('warn')} wrap="truncate-end">
        {what}
      </Text>
      {c && o.build && o.from ? (
        <>
          <Text wrap="truncate-end">
            {'canary  share ◂'}
            {pick(`${c.weight}%`)}
            {'▸  for ▴'}
            {pick(canaryFor(c.forMs))}
            {'▾'}
          </Text>
          <Text bold color={theme.color('busy')} wrap="wrap">
            {printable(canarySentence(o.project, o.build.version ?? `build #${o.build.id}`, o.from, c))}
          </Text>
        </>
      ) : null}
      <Text wrap="truncate-end">
        {o.hold
          ? printable(
              `held by ${o.hold.by} ${formatAge(o.hold.since, now)} ago (${o.hold.reason}): ${o.build ? 'releasing lifts it' : 'l lifts it'}`,
            )
          : 'production is not held'}
      </Text>
      <Text wrap="truncate-end">{`recorded as ${user}`}</Text>
      <Text> </Text>
      {o.build ? <KeyLine keys={[['y', c ? 'release the canary' : "release it (greenci.yml's release policy)"]]} /> : null}
      {o.build && noCanary ? (
        <Text color={theme.color('dim')} wrap="truncate-end">
          {printable(`no canary: ${noCanary}`)}
        </Text>
      ) : null}
      {o.build && !noCanary ? (
        <KeyLine
          keys={
            c
              ? [
                  ['←→', `or 1-${MAX_CANARY_WEIGHT} share`],
                  ['↑↓', 'duration'],
                  ['c', 'no canary'],
                ]
              : [['c', 'as a canary: pick its share and duration']]
          }
        />
      ) : null}
      <KeyLine keys={[...(o.hold ? [['l', 'lift the hold only'] as [string, string]] : []), ['n/Esc', 'leave production as it is']]} />
    </Dialog>
  );
}

/** Keys and what they do, on one line: `y release it  l lift the hold only`. */
function KeyLine({ keys }: { keys: [string, string][] }) {
  return (
    <Text wrap="truncate-end">
      {keys.map(([k, what], i) => (
        <Text key={k}>
          {i ? '  ' : ''}
          <Text bold>{k}</Text> {what}
        </Text>
      ))}
    </Text>
  );
}

/**
 * The canary question (`+`, `-`), naming what changes: `production green: canary v0.4.0 (10%) ->
 * every request`, or `production green: canary v0.4.0 aborted -> v0.3.0 takes every request`.
 */
export function ConfirmCanary({ o, user, width, height }: { o: CanaryOverlay; user: string; width: number; height: number }) {
  const theme = useTheme();
  const promote = o.decision === 'promote';
  return (
    <Dialog title={promote ? 'Promote the canary?' : 'Abort the canary?'} width={width} height={height}>
      <Text> </Text>
      <Text bold color={theme.color('warn')} wrap="truncate-end">
        {printable(
          promote
            ? `production ${o.project}: canary ${o.version} (${o.weight}%) -> every request`
            : `production ${o.project}: canary ${o.version} aborted -> ${o.live} takes every request`,
        )}
      </Text>
      <Text> </Text>
      <Text wrap="truncate-end">{`recorded as ${user}`}</Text>
      <Text wrap="truncate-end">
        <Text bold>y</Text> {promote ? 'promote it now' : 'abort it now'} <Text bold>n</Text>/Esc leave the canary running
      </Text>
    </Dialog>
  );
}
