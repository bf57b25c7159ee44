import type { ContainerRow, PreviewRecord } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { printable } from './printable.js';
import { row, type Row, type Segment } from './row.js';

/** Each app's address in a preview, by app name: `web http://127.0.0.1:20100`. */
function addresses(p: PreviewRecord): string {
  const urls = Object.entries(p.endpoints ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([app, url]) => (URL.canParse(url) ? [`${app} ${new URL(url).origin}`] : []));
  return urls.join('  ');
}

/** A preview in one line of `greenci status`: `preview green feature/login: live, billing http://127.0.0.1:20100 (build #41)`. */
export function previewLine(p: PreviewRecord): string {
  const what =
    p.state === 'live'
      ? `live, ${addresses(p).replaceAll('  ', ', ')}`
      : p.state === 'deploying'
        ? 'deploying'
        : `failed: ${printable(p.reason ?? 'no reason recorded')}`;
  return `preview ${p.project} ${printable(p.branch)}: ${what} (build #${p.buildId})`;
}

function stateWords(p: PreviewRecord, now: number): Segment[] {
  const when = `${formatAge(p.updatedAt, now)} ago`;
  switch (p.state) {
    case 'live':
      return [
        { text: `${addresses(p)}  `, tone: 'ok' },
        { text: `build #${p.buildId} ${p.sha.slice(0, 7)} · ${when}`, tone: 'dim' },
      ];
    case 'deploying':
      return [{ text: `deploying build #${p.buildId} (ports ${Object.values(p.ports).join(', ')}) · ${when}`, tone: 'busy' }];
    case 'failed':
      return [{ text: `build #${p.buildId} failed: ${printable(p.reason ?? 'no reason recorded')} · ${when}`, tone: 'bad' }];
  }
}

/**
 * A project's preview environments in the Environments pane, after test: a heading per branch with
 * its addresses (or what it is doing), then its containers as `serviceRow` draws them.
 */
export function previewRows(
  project: string,
  previews: readonly PreviewRecord[] | undefined,
  containers: readonly ContainerRow[],
  now: number,
  serviceRow: (c: ContainerRow) => Row[],
): Row[] {
  const out: Row[] = [];
  for (const p of previews ?? []) {
    const head: Segment[] = [
      { text: `${project} `, tone: 'accent', bold: true },
      { text: 'preview ', bold: true },
      { text: `${printable(p.branch)}  `, bold: true },
      ...stateWords(p, now),
    ];
    out.push(row(`env:${project}:preview:${p.branch}`, head, { project, heading: true }));
    for (const c of containers.filter((c) => c.project === project && c.env === p.envKey && c.role !== 'test')) out.push(...serviceRow(c));
  }
  return out;
}
