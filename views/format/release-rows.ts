import type { ReleaseRecord } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { fit, row, type Row } from './row.js';

/** The Releases pane (the rollback picker): newest first, the live one marked. */
export function releaseRows(project: string, releases: ReleaseRecord[], liveId: number | undefined, now: number): Row[] {
  return releases.map((r) => {
    const live = r.id === liveId;
    return row(
      `release:${project}:${r.id}`,
      [
        { text: live ? '● ' : '  ', tone: 'ok' },
        { text: `${fit(r.version, 10)} `, bold: live },
        { text: `${r.sha.slice(0, 7)} `, tone: 'dim' },
        { text: `${fit(r.buildId ? `#${r.buildId}` : '', 6)} ` },
        { text: `${fit(`${formatAge(r.createdAt, now)} ago`, 9)} ` },
        { text: live ? 'live' : r.tagPushed ? '' : 'tag not pushed', tone: live ? 'ok' : 'dim' },
      ],
      { project, version: r.version },
    );
  });
}
