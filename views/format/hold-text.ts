import { formatTime } from '../../engine/duration.js';
import type { ProductionHold } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { printable } from './printable.js';
import type { Segment } from './row.js';

/**
 * A hold on production as the command line shows it (`greenci status`, `greenci releases`):
 * `production green is held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0):
 * new builds are tested, not released; greenci release green releases the newest (--lift: lift the hold only)`.
 */
export function holdLine(h: ProductionHold): string {
  return printable(
    `production ${h.project} is held since ${formatTime(h.since)} by ${h.by} (${h.reason}): new builds are tested, not released; ` +
      `greenci release ${h.project} releases the newest (--lift: lift the hold only)`,
  );
}

/** The Environments pane's word for a hold, after what is live: `held by bob 5m ago`. */
export function holdSegment(h: ProductionHold, now: number): Segment {
  return { text: `held by ${printable(h.by)} ${formatAge(h.since, now)} ago  `, tone: 'warn', bold: true };
}
