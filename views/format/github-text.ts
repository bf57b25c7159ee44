import { formatTime } from '../../engine/duration.js';
import type { GithubReporting } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { printable } from './printable.js';

/** `github: 2 waiting; last taken 12s ago; failing for 3m: …`: reporting to GitHub in one line. */
export function githubLine(r: GithubReporting, now: number): string {
  const parts = [
    `${r.pending} waiting`,
    r.lastSentAt !== undefined ? `last taken ${formatAge(r.lastSentAt, now)} ago` : 'nothing taken yet',
  ];
  if (r.failingSince !== undefined) parts.push(`failing for ${formatAge(r.failingSince, now)}`);
  if (r.lastError)
    parts.push(
      `last ${r.lastError.final ? 'refused' : 'error'} ${formatTime(r.lastError.at).slice(11)}: ${printable(r.lastError.call)}: ${printable(r.lastError.error)}`,
    );
  return `github: ${parts.join('; ')}`;
}
