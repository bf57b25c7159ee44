import type { PruneKind, PruneOutcome } from './types.js';

/** Words for what a prune did, shared by the audit table and the command line. Pure. */

const NOUN: Record<PruneKind, [string, string]> = {
  container: ['container', 'containers'],
  tag: ['tag', 'tags'],
  image: ['image', 'images'],
  cache: ['build cache step', 'build cache steps'],
  worktree: ['worktree', 'worktrees'],
  'build-log': ['build log', 'build logs'],
  backup: ['backup', 'backups'],
};
const ORDER = Object.keys(NOUN) as PruneKind[];

/** `512 B`, `12.3 MB`, `1.2 GB` (powers of 1024, as Docker counts). */
export function sizeText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** `3 containers, 1 tag, 9 images`: how many of each kind, in the order they are removed; `nothing` when none. */
export function countText(items: readonly { kind: PruneKind }[]): string {
  const parts = ORDER.map((k) => [k, items.filter((i) => i.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${NOUN[k][n === 1 ? 0 : 1]}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

/** Bytes of the items removed (or that a dry run would remove). */
export function freedBytes(outcomes: readonly PruneOutcome[]): number {
  return outcomes.filter((o) => o.outcome === 'removed' || o.outcome === 'would').reduce((n, o) => n + o.bytes, 0);
}

/** The audit line of a prune: `removed 3 containers, 9 images: 41.2 MB freed; 1 skipped`. */
export function auditText(outcomes: readonly PruneOutcome[]): string {
  const removed = outcomes.filter((o) => o.outcome === 'removed');
  const skipped = outcomes.filter((o) => o.outcome === 'skipped');
  const text = removed.length ? `removed ${countText(removed)}: ${sizeText(freedBytes(outcomes))} freed` : 'nothing to remove';
  return skipped.length ? `${text}; ${skipped.length} skipped (${skipped[0].what}: ${skipped[0].why})` : text;
}
