import type { DiskReport } from '../../engine/client.js';
import { formatBytes } from './ago.js';
import { row, type Row } from './row.js';

const WHERE = { docker: "Docker's data root", dataDir: "greenci's data dir" } as const;

/**
 * The foot of the Environments pane: what greenci's own things take on disk (all of it, then the
 * images, their build cache, the volumes and the data dir; containers' writable layers count in
 * the total only) and the space left on
 * each filesystem they live on, as `greenci status` says it. A filesystem below `retention.minFree`
 * is shown in red with what to do. Nothing before the first reading (or when it cannot be read).
 */
export function diskRows(d: DiskReport | undefined): Row[] {
  if (!d) return [];
  const g = d.greenci;
  const out: Row[] = [
    row('disk', [{ text: 'disk', bold: true }], { heading: true }),
    row('disk:greenci', [
      { text: '  greenci  ', tone: 'dim' },
      { text: formatBytes(g.images + g.buildCache + g.containers + g.volumes + g.dataDir), bold: true },
      {
        text: `  images ${formatBytes(g.images)} · cache ${formatBytes(g.buildCache)} · volumes ${formatBytes(g.volumes)} · data dir ${formatBytes(g.dataDir)}`,
      },
    ]),
  ];
  for (const f of d.filesystems) {
    const pct = f.total > 0 ? ` (${Math.round((f.free / f.total) * 100)}%)` : '';
    // on a narrow pane the end is cut: what is wrong and what to do come before where
    out.push(
      row(`disk:${f.name}`, [
        { text: '  free     ', tone: 'dim' },
        { text: `${formatBytes(f.free)} of ${formatBytes(f.total)}${pct}`, tone: f.problem ? 'bad' : 'ok', bold: Boolean(f.problem) },
        ...(f.problem ? [{ text: ' below retention.minFree: greenci prune', tone: 'bad' as const }] : []),
        { text: ` on ${WHERE[f.name]} ${f.path}`, tone: 'dim' },
      ]),
    );
  }
  return out;
}
