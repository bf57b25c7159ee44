import type { BuildRecord, StageRecord } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { formatDuration } from '../../engine/duration.js';
import { printable } from './printable.js';
import { fit, row, type Row, type Segment, type Tone } from './row.js';

export const STATUS_ICON: Record<string, string> = { queued: '◌', running: '▸', success: '✓', failed: '✗', cancelled: '⊘' };
export const STATUS_TONE: Record<string, Tone> = { queued: 'dim', running: 'busy', success: 'ok', failed: 'bad', cancelled: 'warn' };

const STAGE_MARK: Record<string, [string, Tone | undefined]> = {
  success: ['●', 'ok'],
  failed: ['✗', 'bad'],
  running: ['▸', 'busy'],
  pending: ['·', 'dim'],
  skipped: ['-', 'dim'],
  cancelled: ['⊘', 'warn'],
};

/** One mark per stage, e.g. `●●▸··`: readable without colour. */
export function stageStrip(stages: StageRecord[]): Segment[] {
  return stages.map((s) => {
    const [text, tone] = STAGE_MARK[s.status] ?? ['?', undefined];
    return { text, tone };
  });
}

export function currentStage(b: BuildRecord): string {
  const running = b.stages.find((s) => s.status === 'running');
  if (running) return running.name;
  const failed = b.stages.find((s) => s.status === 'failed');
  if (failed) return failed.name;
  if (b.status === 'queued') return 'queued';
  return b.status === 'success' ? 'done' : '';
}

export function buildDuration(b: BuildRecord, now: number): number | undefined {
  if (b.startedAt === undefined) return undefined;
  return (b.finishedAt ?? now) - b.startedAt;
}

/** Who the build is for: the pusher, else whoever asked. */
export function buildActor(b: BuildRecord): string {
  return printable(b.push?.pusherName ?? b.requestedBy ?? '');
}

/** What the result column says: the version released (and what did not go to plan), the reason it failed, or how long it waits. */
function result(b: BuildRecord, now: number): Segment {
  if (b.status === 'success' && b.reason)
    return { text: printable(`${b.version ? `released ${b.version}` : 'passed'}; ${b.reason.split('\n')[0]}`), tone: 'warn' };
  if (b.status === 'success') return { text: b.version ? `released ${b.version}` : 'passed', tone: 'ok' };
  if (b.status === 'failed' || b.status === 'cancelled')
    return { text: printable((b.reason ?? b.status).split('\n')[0]), tone: STATUS_TONE[b.status] };
  if (b.status === 'queued') return { text: `waiting ${formatAge(b.createdAt, now)}`, tone: 'dim' };
  return { text: '' };
}

/**
 * The Builds pane: running and queued first (oldest queued next to run), then finished, newest
 * first. Columns drop from the right of the wish list as the pane narrows.
 */
const finishedRows = new WeakMap<BuildRecord, { width: number; wide: boolean; row: Row }>();

export function buildRows(builds: BuildRecord[], width: number, now: number): Row[] {
  const active = builds.filter((b) => b.status === 'running').concat(builds.filter((b) => b.status === 'queued').reverse());
  const done = builds.filter((b) => b.status !== 'running' && b.status !== 'queued');
  const projects = new Set(builds.map((b) => b.project));
  const wide = width >= 110;
  const showProject = projects.size > 1 || wide;
  // id, status, sha, stage, strip, duration, the project and pusher when shown, and room for the result
  const fixed = 6 + 2 + 8 + 12 + 9 + 8 + (showProject ? 11 : 0) + (wide ? 11 : 0) + 16;
  const branchW = Math.max(12, Math.min(24, width - fixed));
  return [...active, ...done].map((b) => {
    // a finished build's row never changes: made once per record and width
    const finished = b.status !== 'running' && b.status !== 'queued';
    const cached = finished ? finishedRows.get(b) : undefined;
    if (cached && cached.width === width && cached.wide === showProject) return cached.row;
    const r = buildRow(b, { width, wide, showProject, branchW }, now);
    if (finished) finishedRows.set(b, { width, wide: showProject, row: r });
    return r;
  });
}

function buildRow(b: BuildRecord, o: { width: number; wide: boolean; showProject: boolean; branchW: number }, now: number): Row {
  const { wide, showProject, branchW } = o;
  {
    const sha = (b.sha ?? b.requestedSha ?? '').slice(0, 7);
    const segs: Segment[] = [{ text: fit(`#${b.id}`, 6) }, { text: `${STATUS_ICON[b.status] ?? '?'} `, tone: STATUS_TONE[b.status] }];
    if (showProject) segs.push({ text: `${fit(b.project, 10)} `, tone: 'accent' });
    segs.push({ text: `${fit(printable(b.branch), branchW)} ` }, { text: `${fit(sha || '-', 7)} `, tone: 'dim' });
    if (wide) segs.push({ text: `${fit(buildActor(b), 10)} ` });
    segs.push({ text: `${fit(currentStage(b), 11)} ` }, ...stageStrip(b.stages), { text: ' '.repeat(Math.max(1, 9 - b.stages.length)) });
    segs.push({ text: `${fit(formatDuration(buildDuration(b, now)), 6, 'right')}  ` }, result(b, now));
    return row(`build:${b.id}`, segs, { project: b.project, buildId: b.id });
  }
}
