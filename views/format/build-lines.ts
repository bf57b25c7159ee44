import type { BuildRecord, ReleaseRecord, StageRecord } from '../../engine/model.js';
import { formatDuration, formatTime } from '../../engine/duration.js';
import { printable } from './printable.js';
import { table } from './table.js';

const MARK: Record<string, string> = { success: '✔', failed: '✘', skipped: '-', cancelled: '⊘', running: '…', pending: ' ', queued: ' ' };

/** One line per finished stage: `✔ build              ok        3.1s`. */
export function stageLine(stage: StageRecord): string {
  const took = stage.startedAt !== undefined && stage.finishedAt !== undefined ? formatDuration(stage.finishedAt - stage.startedAt) : '';
  const result = stage.status === 'success' ? 'ok' : stage.status;
  const line = `${MARK[stage.status] ?? '?'} ${stage.name.padEnd(18)} ${result.padEnd(9)} ${took.padStart(7)}`.trimEnd();
  return stage.status === 'failed' && stage.error
    ? `${line}\n    ${printable(stage.error, { multiline: true }).split('\n').join('\n    ')}`
    : line;
}

/** `build #12 green master @ 1a2b3c4d5e6f "Fix totals"`. */
export function buildTitle(b: BuildRecord): string {
  const at = b.sha ? ` @ ${b.sha.slice(0, 12)}` : b.requestedSha ? ` @ ${b.requestedSha.slice(0, 12)}` : '';
  return printable(`build #${b.id} ${b.project} ${b.branch}${at}${b.commitSubject ? ` "${b.commitSubject}"` : ''}`);
}

/** The closing line of `greenci run`. */
export function buildSummary(b: BuildRecord): string {
  const took = b.startedAt !== undefined && b.finishedAt !== undefined ? ` in ${formatDuration(b.finishedAt - b.startedAt)}` : '';
  if (b.status === 'success')
    return `✔ build #${b.id} succeeded${took}${b.version ? `: production runs ${b.version}` : ''}${b.reason ? `; ${printable(b.reason.split('\n')[0])}` : ''}`;
  return `${MARK[b.status]} build #${b.id} ${b.status}${took}: ${printable(b.reason ?? 'no reason recorded', { multiline: true }).replace(/\s+$/, '')}`;
}

export function buildsTable(builds: BuildRecord[]): string {
  if (!builds.length) return 'no builds yet';
  return table(
    ['ID', 'PROJECT', 'BRANCH', 'COMMIT', 'STATUS', 'VERSION', 'STARTED', 'TOOK', 'REASON'],
    builds.map((b) => [
      String(b.id),
      b.project,
      truncate(printable(b.branch), 30),
      (b.sha ?? b.requestedSha ?? '').slice(0, 12),
      b.status,
      b.version ?? '',
      formatTime(b.startedAt ?? b.createdAt),
      b.startedAt !== undefined && b.finishedAt !== undefined ? formatDuration(b.finishedAt - b.startedAt) : '',
      truncate(printable((b.reason ?? '').split('\n')[0]), 60),
    ]),
  );
}

export function releasesTable(releases: ReleaseRecord[], liveId: number | undefined): string {
  if (!releases.length) return 'no releases yet';
  return table(
    ['', 'VERSION', 'COMMIT', 'BUILD', 'RELEASED', 'TAG', 'IMAGES'],
    releases.map((r) => [
      r.id === liveId ? '*' : '',
      r.version,
      r.sha.slice(0, 12),
      r.buildId ? `#${r.buildId}` : '',
      formatTime(r.createdAt),
      r.tagPushed ? 'pushed' : 'not pushed',
      Object.values(r.images)
        .map((i) => i.ref)
        .join(' '),
    ]),
  );
}

function truncate(s: string, n: number): string {
  return [...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s;
}
