import type { DiskReport } from '../../engine/prune/disk.js';
import { countText, sizeText } from '../../engine/prune/report.js';
import type { KeptItem, PruneOutcome, PruneReport } from '../../engine/prune/types.js';
import { printable } from '../../views/format/printable.js';

/** What `greenci prune` and `greenci status` print of retention and disk. Pure. */

const WHAT_WIDTH = 56;

/** One project's prune: each thing removed (or that would be) with its size and reason, then what was kept, summed up by reason. */
export function pruneText(r: PruneReport): string {
  const done = r.removed.filter((o) => o.outcome !== 'skipped' && o.outcome !== 'gone');
  const lines = [
    r.dryRun
      ? `prune ${r.project} (dry run: nothing was removed): would remove ${countText(done)}, ${sizeText(r.bytes)}`
      : `prune ${r.project}: removed ${countText(done)}, ${sizeText(r.bytes)} freed`,
  ];
  const width = Math.min(WHAT_WIDTH, Math.max(0, ...r.removed.map((o) => printable(o.what).length)));
  for (const o of r.removed) lines.push(`  ${removedLine(o, width)}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push(`  kept: ${keptCount(r.kept)}`);
  for (const [reason, items] of byReason(r.kept)) lines.push(`    ${reason}: ${keptCount(items)}`);
  return lines.join('\n');
}

function removedLine(o: PruneOutcome, width: number): string {
  const what = clip(printable(o.what), WHAT_WIDTH).padEnd(width);
  const size = o.kind === 'tag' ? '-' : sizeText(o.bytes);
  const state = o.outcome === 'skipped' ? `skipped (${o.why}): ` : o.outcome === 'gone' ? 'already gone: ' : '';
  return `${o.kind.padEnd(9)} ${what}  ${size.padStart(7)}  ${state}${o.reason}`;
}

/** `12 images, 3 containers`. */
function keptCount(items: readonly KeptItem[]): string {
  const n = (kind: KeptItem['kind'], one: string, many: string) => {
    const k = items.filter((i) => i.kind === kind).length;
    return k ? [`${k} ${k === 1 ? one : many}`] : [];
  };
  const parts = [...n('image', 'image', 'images'), ...n('container', 'container', 'containers'), ...n('backup', 'backup', 'backups')];
  return parts.length ? parts.join(', ') : 'nothing';
}

/** Kept things grouped by their first reason, in the order reasons first appear. */
function byReason(kept: readonly KeptItem[]): Map<string, KeptItem[]> {
  const groups = new Map<string, KeptItem[]>();
  for (const k of kept) groups.set(k.reasons[0], [...(groups.get(k.reasons[0]) ?? []), k]);
  return groups;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * `greenci status`'s disk lines: what greenci takes (images, their build cache, containers,
 * volumes, its database and data dir) and the free space where Docker and greenci keep them.
 */
export function diskText(d: DiskReport): string {
  const g = d.greenci;
  const lines = [
    `disk greenci: images ${sizeText(g.images)}, build cache ${sizeText(g.buildCache)}, containers ${sizeText(g.containers)}, volumes ${sizeText(g.volumes)} (data, never pruned); database ${sizeText(g.database)}, data dir ${sizeText(g.dataDir)}`,
  ];
  if (d.dockerBuildCache)
    lines.push(`disk docker: BuildKit cache ${sizeText(d.dockerBuildCache)} (every build's; greenci builds with the classic builder)`);
  for (const f of d.filesystems) {
    const pct = f.total > 0 ? ` (${((f.free / f.total) * 100).toFixed(0)} %)` : '';
    const where = f.name === 'docker' ? "Docker's data root" : "greenci's data dir";
    lines.push(
      `disk free: ${sizeText(f.free)} of ${sizeText(f.total)}${pct} on ${where} ${f.path}${f.problem ? ' — below retention.minFree (greenci prune frees what greenci no longer needs)' : ''}`,
    );
  }
  return lines.join('\n');
}
