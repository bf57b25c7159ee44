import type { GithubReporting } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { printable } from './printable.js';
import { clip, row, type Row } from './row.js';

/**
 * Under the disk in the Environments pane: reporting to GitHub (calls waiting, the last GitHub
 * took, and, when calls fail, for how long and GitHub's last answer, in red). Nothing when no
 * project reports to GitHub.
 */
export function githubRows(r: GithubReporting | undefined, width: number, now: number): Row[] {
  if (!r) return [];
  const failing = r.failingSince !== undefined;
  const out: Row[] = [
    row('github', [{ text: 'github', bold: true }], { heading: true }),
    row(
      'github:figures',
      clip(
        [
          { text: '  reporting  ', tone: 'dim' },
          { text: failing ? `failing for ${formatAge(r.failingSince, now)}` : 'ok', tone: failing ? 'bad' : 'ok', bold: failing },
          {
            text: `  ${r.pending} waiting · ${r.lastSentAt !== undefined ? `last taken ${formatAge(r.lastSentAt, now)} ago` : 'nothing taken yet'}`,
          },
        ],
        width,
      ),
    ),
  ];
  if (r.lastError)
    out.push(
      row(
        'github:error',
        clip(
          [
            { text: `  last ${r.lastError.final ? 'refused' : 'error'} ${formatAge(r.lastError.at, now)} ago  `, tone: 'dim' },
            { text: printable(r.lastError.error), tone: failing ? 'bad' : 'warn' },
            { text: `  ${printable(r.lastError.call)}`, tone: 'dim' },
          ],
          width,
        ),
      ),
    );
  return out;
}
