import type { HealthTransitionRecord } from '../model.js';
import type { NewMail } from '../store/outbox.js';
import { htmlBody, textBody } from './html.js';

/** What an alert says happened, in a word people scan for. */
export function alertVerb(a: HealthTransitionRecord): (typeof ORDER)[number] {
  if (a.note?.startsWith('flapping:')) return 'flapping';
  if (a.key.startsWith('greenci/build-')) return a.to === 'healthy' ? 'no longer stuck' : 'stuck';
  if (a.key.startsWith('greenci/disk/')) return a.to === 'healthy' ? 'has space again' : 'low on space';
  if (a.to === 'healthy') return 'recovered';
  if (a.to === 'down') return 'down';
  return 'degraded';
}

const ORDER = ['down', 'stuck', 'low on space', 'flapping', 'degraded', 'recovered', 'no longer stuck', 'has space again'] as const;
const ICON: Record<(typeof ORDER)[number], string> = {
  down: '✖',
  stuck: '✖',
  'low on space': '✖',
  flapping: '⚠',
  degraded: '⚠',
  recovered: '✔',
  'no longer stuck': '✔',
  'has space again': '✔',
};
const SUBJECT_MAX = 110;

/**
 * One monitoring round's alerts as one email to the ops list: the subject names what went down
 * and what recovered ("✖ green prod billing down"; "✖ green prod billing, green prod weight down;
 * greenci docker engine recovered"), the body has each one's when and why.
 */
export function healthAlertMail(
  alerts: HealthTransitionRecord[],
  ops: string[],
  o: { host?: string; now?: number } = {},
): NewMail | undefined {
  if (!alerts.length || !ops.length) return undefined;
  const byVerb = new Map<string, HealthTransitionRecord[]>();
  for (const a of alerts) byVerb.set(alertVerb(a), [...(byVerb.get(alertVerb(a)) ?? []), a]);
  const verbs = ORDER.filter((v) => byVerb.has(v));
  const parts = verbs.map(
    (v) =>
      `${byVerb
        .get(v)!
        .map((a) => a.title)
        .join(', ')} ${v}`,
  );
  let subject = `${ICON[verbs[0]]} ${parts.join('; ')}`;
  if (subject.length > SUBJECT_MAX) {
    const counts = verbs.map((v) => `${byVerb.get(v)!.length} ${v}`).join(', ');
    subject = `${`${ICON[verbs[0]]} ${counts}: ${alerts.map((a) => a.title).join(', ')}`.slice(0, SUBJECT_MAX - 1)}…`;
  }
  const time = (at: number) =>
    new Date(at)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC');
  const rows: [string, string][] = alerts.map((a) => [
    a.title,
    `${alertVerb(a)} at ${time(a.at)}${a.to !== 'healthy' && a.detail ? `: ${a.detail}` : ''}${a.note ? ` (${a.note})` : ''}`,
  ]);
  if (o.host) rows.push(['host', o.host]);
  const blocks = alerts
    .filter((a) => a.to === 'down' && a.output?.length)
    .map((a) => ({ title: `last output of ${a.title}`, text: a.output!.join('\n') }));
  const content = { heading: subject, rows, blocks, footer: '`greenci health` shows every check and its recent changes.' };
  return {
    kind: 'health',
    to: ops,
    subject,
    text: textBody(content),
    html: htmlBody(content),
    dedupeKey: `health:${alerts[0].id}-${alerts.at(-1)!.id}`,
  };
}
