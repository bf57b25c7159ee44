import { isFinished, type BuildRecord, type LogLine, type ProductionHold, type ReleaseRecord } from '../model.js';
import type { NewMail } from '../store/outbox.js';
import { heldRow, liftedRow } from './hold-mail.js';
import { htmlBody, textBody } from './html.js';
import { formatDuration } from '../duration.js';

const TAIL = 30;

/** One email per build: the outbox's dedupe key for it. */
export const buildMailKey = (buildId: number): string => `build:${buildId}`;

export interface BuildMailInput {
  build: BuildRecord;
  productionBranch: string;
  /** Lead list (production outcomes). */
  lead: string[];
  /** The build's log lines (the failing stage's tail goes into the email). */
  logs: LogLine[];
  /** What production runs after the build, when it is a production build that did not release. */
  live?: ReleaseRecord;
  /** The build's test environment: app → the URL its health check answered on (as deploy-test recorded it). */
  testEndpoints?: Record<string, string>;
  /** The build's preview environment, when it put one up: app → the URL its health check answered on. */
  previewEndpoints?: Record<string, string>;
  /** The open pull requests whose head is the build's commit (what a reviewer knows it by). */
  pullRequests?: { number: number; title?: string }[];
  /** The hold a `greenci release` build lifted. */
  lifted?: ProductionHold;
}

/** Who gets a build's result: the pusher, else the head commit's author; production builds go to the lead list. */
export function buildRecipients(b: BuildRecord, productionBranch: string, lead: string[]): string[] {
  if (b.branch === productionBranch) return lead;
  // the push payload's pusher, else its head commit's author, else (no payload: a manual or reconciled build) the commit's author in git
  const candidates = [b.push?.pusherEmail, b.push?.headAuthorEmail, /<([^<>\s]+@[^<>\s]+)>$/.exec(b.commitAuthor ?? '')?.[1]];
  const who = candidates.find((c) => c && /^[^\s@<>]+@[^\s@<>]+$/.test(c) && !/noreply\.github\.com$/i.test(c));
  return who ? [who] : [];
}

/** The test environment's addresses: each app's origin (`http://127.0.0.1:32770`), from the endpoints deploy-test recorded. */
export function testAddresses(endpoints: Record<string, string> | undefined): [string, string][] {
  return Object.entries(endpoints ?? {}).flatMap(([app, url]): [string, string][] =>
    URL.canParse(url) ? [[app, new URL(url).origin]] : [],
  );
}

const dur = (ms: number | undefined) => (ms === undefined ? '' : formatDuration(ms));

/**
 * The email closing a build: subject scannable in an inbox (`✔ green master v0.4.0 released`,
 * `✖ green feature-x #12 failed at test`), then project, branch, commit, stages with durations,
 * the failing output's tail, and the test environment's address. Undefined when nobody is to get it.
 */
export function buildMail(i: BuildMailInput): NewMail | undefined {
  const b = i.build;
  if (!isFinished(b.status)) return undefined;
  const to = buildRecipients(b, i.productionBranch, i.lead);
  if (!to.length) return undefined;
  const production = b.branch === i.productionBranch;
  const sha = (b.sha ?? b.requestedSha ?? '').slice(0, 12);
  const subjectLine = (b.commitSubject ?? b.push?.headMessage ?? '').split('\n')[0];
  const failedStage = b.stages.find((s) => s.status === 'failed');
  const autoRollback = production && b.outcome === 'rolled-back';
  let subject: string;
  if (b.status === 'success' && b.outcome === 'not-released') subject = `✔ ${b.project} ${b.branch} #${b.id} passed: not released`;
  else if (b.status === 'success')
    subject = production && b.version ? `✔ ${b.project} ${b.branch} ${b.version} released` : `✔ ${b.project} ${b.branch} #${b.id} passed`;
  else if (b.status === 'cancelled') subject = `⊘ ${b.project} ${b.branch} #${b.id} cancelled`;
  else if (autoRollback)
    subject = `✖ ${b.project} ${b.branch} ${b.version ?? `#${b.id}`} rolled back${i.live ? ` to ${i.live.version}` : ''}`;
  else
    subject = `✖ ${b.project} ${b.branch} #${b.id} failed${failedStage ? ` at ${failedStage.name}` : ''}${production ? ': not released' : ''}`;

  const rows: [string, string][] = [
    ['project', b.project],
    ['branch', b.branch],
    ['commit', `${sha}${subjectLine ? ` ${subjectLine}` : ''}`],
    ['pushed by', b.push?.pusherName ?? b.requestedBy ?? ''],
    ...(i.pullRequests ?? []).map((pr): [string, string] => [
      'pull request',
      `#${pr.number}${pr.title ? ` ${pr.title.split('\n')[0]}` : ''}`,
    ]),
    ['build', `#${b.id} (${b.trigger === 'release' && b.retryOf ? `greenci release of build #${b.retryOf}` : b.trigger})`],
    [
      'result',
      b.status === 'success'
        ? `${production && b.version ? `released ${b.version} to production` : 'all stages passed'}${b.reason ? `; ${b.reason.split('\n')[0]}` : ''}`
        : `${b.status}: ${(b.reason ?? '').split('\n')[0]}`,
    ],
  ];
  if (production && (b.status !== 'success' || b.outcome === 'not-released'))
    rows.push(['production', i.live ? `runs ${i.live.version}` : 'no release live']);
  if (i.lifted) rows.push(liftedRow(i.lifted));
  const addresses = testAddresses(i.testEndpoints);
  if (!production && addresses.length) rows.push(['test environment', addresses.map(([app, url]) => `${app} ${url}`).join(', ')]);
  const preview = testAddresses(i.previewEndpoints);
  if (!production && preview.length)
    rows.push([
      'preview',
      `${preview.map(([app, url]) => `${app} ${url}`).join(', ')} (until ${b.branch} is deleted or its pull request closed)`,
    ]);
  const stages = b.stages
    .map(
      (s) =>
        `${s.status.padEnd(9)} ${s.name.padEnd(18)} ${dur(s.startedAt !== undefined && s.finishedAt !== undefined ? s.finishedAt - s.startedAt : undefined)}`,
    )
    .join('\n');
  const blocks = [{ title: 'stages', text: stages }];
  if (failedStage) {
    const tail = i.logs
      .filter((l) => l.stage === failedStage.name)
      .slice(-TAIL)
      .map((l) => l.line);
    if (tail.length)
      blocks.push({ title: `last ${tail.length} line${tail.length === 1 ? '' : 's'} of ${failedStage.name}`, text: tail.join('\n') });
  }
  const content = { heading: subject, rows, blocks, footer: `greenci logs ${b.id} shows the whole log.` };
  return {
    kind: production ? 'release' : 'build',
    to,
    subject,
    text: textBody(content),
    html: htmlBody(content),
    dedupeKey: buildMailKey(b.id),
  };
}

/** A manual rollback, to the lead list, naming who did it; one that succeeded says production is held now. */
export function rollbackMail(o: {
  project: string;
  from?: string;
  to: string;
  by: string;
  ok: boolean;
  reason?: string;
  lead: string[];
  deploymentId: number;
  /** The production branch, named in what the hold means. */
  productionBranch?: string;
}): NewMail | undefined {
  if (!o.lead.length) return undefined;
  const subject = o.ok
    ? `↩ ${o.project} production rolled back to ${o.to} by ${o.by}`
    : `✖ ${o.project} production rollback to ${o.to} by ${o.by} failed`;
  const content = {
    heading: subject,
    rows: [
      ['project', o.project],
      ['from', o.from ?? 'nothing live'],
      ['to', o.to],
      ['by', o.by],
      ['result', o.ok ? `production runs ${o.to}` : `failed: ${o.reason ?? ''}`],
      ...(o.ok ? [heldRow(o.project, o.productionBranch ?? 'production-branch')] : []),
    ] as [string, string][],
  };
  return {
    kind: 'rollback',
    to: o.lead,
    subject,
    text: textBody(content),
    html: htmlBody(content),
    dedupeKey: `deployment:${o.deploymentId}`,
  };
}
