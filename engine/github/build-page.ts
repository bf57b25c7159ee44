import { formatDuration, formatTime } from '../duration.js';
import type { BuildRecord } from '../model.js';

/**
 * The page a commit status links to (`<publicUrl>/builds/<id>`): a build's commit, result and
 * stages as plain text. No log lines: the page is as public as the repository's statuses.
 */
export function buildPageText(b: BuildRecord): string {
  const lines = [
    `greenci build #${b.id}: ${b.project} ${b.branch}`,
    '',
    `commit   ${b.sha ?? b.requestedSha ?? '(not checked out)'}${b.commitSubject ? ` "${b.commitSubject}"` : ''}${b.commitAuthor ? ` by ${b.commitAuthor}` : ''}`,
    `status   ${b.status}${b.outcome ? ` (${b.outcome})` : ''}${b.version ? `, ${b.version}` : ''}`,
    ...(b.reason ? [`why      ${b.reason}`] : []),
    `queued   ${formatTime(b.createdAt)}${b.finishedAt !== undefined && b.startedAt !== undefined ? `; took ${formatDuration(b.finishedAt - b.startedAt)}` : ''}`,
    '',
    'stages',
    ...b.stages.map((s) => {
      const took = s.startedAt !== undefined && s.finishedAt !== undefined ? formatDuration(s.finishedAt - s.startedAt) : '';
      return `  ${s.name.padEnd(18)} ${s.status.padEnd(9)} ${took}${s.error ? `  ${s.error.split('\n')[0]}` : ''}`.trimEnd();
    }),
  ];
  return `${lines.map((l) => l.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?')).join('\n')}\n`;
}

/** `/builds/12` → 12; anything else undefined. */
export function buildPageId(pathname: string): number | undefined {
  const m = /^\/builds\/([1-9]\d{0,9})$/.exec(pathname);
  return m ? Number(m[1]) : undefined;
}
