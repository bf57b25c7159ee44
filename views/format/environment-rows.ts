import type { ContainerRow, DeploymentRecord } from '../../engine/model.js';
import type { Snapshot } from '../../engine/state.js';
import { formatAge } from './ago.js';
import { containerHealth, containerSince } from './container-rows.js';
import { printable } from './printable.js';
import { fit, row, type Row, type Segment } from './row.js';

const ENVS = ['production', 'test'] as const;

function deploymentWords(d: DeploymentRecord | undefined, now: number): Segment {
  if (!d) return { text: 'never deployed', tone: 'dim' };
  const what = d.kind === 'deploy' && d.buildId ? `deploy #${d.buildId}` : `${d.kind}${d.version ? ` ${d.version}` : ''}`;
  const tone = d.status === 'failed' ? 'bad' : d.status === 'running' ? 'busy' : 'dim';
  return { text: `${what} ${d.status} ${formatAge(d.finishedAt ?? d.startedAt, now)} ago${d.requestedBy ? ` by ${printable(d.requestedBy)}` : ''}`, tone };
}

/**
 * The Environments pane: per project, production then test, a heading with what is live and the
 * last change, then each app and service with image tag, release, commit, health and since when.
 */
export function environmentRows(s: Snapshot, width: number, now: number): Row[] {
  const out: Row[] = [];
  const wide = width >= 110;
  const projects = Object.keys(s.environments).sort();
  for (const project of projects) {
    for (const env of ENVS) {
      const d = s.environments[project]?.[env];
      const live = env === 'production' ? s.live[project]?.version : undefined;
      const head: Segment[] = [{ text: `${project} `, tone: 'accent', bold: true }, { text: `${env} `, bold: true }];
      if (env === 'production') head.push({ text: live ? `${live} live  ` : 'no release live  ', tone: live ? 'ok' : 'warn' });
      head.push(deploymentWords(d, now));
      out.push(row(`env:${project}:${env}`, head, { project, heading: true }));
      const services = s.containers.filter((c) => c.project === project && c.env === env && c.role !== 'test');
      if (!services.length) {
        const why = s.docker && !s.docker.reachable ? 'Docker not reachable' : s.docker ? 'no containers' : 'looking at Docker…';
        out.push(row(`env:${project}:${env}:none`, [{ text: `  ${why}`, tone: 'dim' }], { project }));
      }
      for (const c of services) out.push(serviceRow(c, wide, now));
    }
  }
  return out;
}

function serviceRow(c: ContainerRow, wide: boolean, now: number): Row {
  const h = containerHealth(c);
  const tag = c.image.includes(':') ? c.image.slice(c.image.lastIndexOf(':') + 1) : c.image;
  const segs: Segment[] = [
    { text: '  ' + fit(c.service ?? c.name, 12) + ' ' },
    { text: fit(wide ? c.image : tag, wide ? 32 : 16) + ' ', tone: 'dim' },
    { text: fit(c.release ?? '-', 10) + ' ' },
    { text: fit(h.word, 10) + ' ', tone: h.tone },
    { text: fit(containerSince(c, now), 10) + ' ' },
    { text: (c.commit ?? '').slice(0, 7) + ' ', tone: 'dim' },
    { text: printable(c.subject ?? '') },
  ];
  const r = row(`service:${c.id}`, segs, { project: c.project, containerId: c.id, containerName: c.name });
  // `/production` or `/green` finds the rows under those headings too
  return { ...r, text: `${c.project} ${c.env} ${r.text}` };
}
