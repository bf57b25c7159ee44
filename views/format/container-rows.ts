import type { ContainerRow } from '../../engine/model.js';
import { formatAge, formatBytes } from './ago.js';
import { fit, row, type Row, type Segment, type Tone } from './row.js';

/** One word for how a container is doing, and its tone: Docker's health when it has a check, else its state. */
export function containerHealth(c: ContainerRow): { word: string; tone: Tone } {
  if (c.state === 'running') {
    if (c.health === 'unhealthy') return { word: 'unhealthy', tone: 'bad' };
    if (c.health === 'starting') return { word: 'starting', tone: 'warn' };
    if (c.health === 'healthy') return { word: 'healthy', tone: 'ok' };
    return { word: 'running', tone: 'ok' };
  }
  if (c.state === 'restarting') return { word: 'restarting', tone: 'warn' };
  if (c.state === 'paused') return { word: 'paused', tone: 'warn' };
  if (c.state === 'created') return { word: 'created', tone: 'dim' };
  return { word: 'down', tone: 'bad' };
}

/** `up 3m`, `exited 1 · 20s`: since when it is in its state. */
export function containerSince(c: ContainerRow, now: number): string {
  if (c.state === 'running') return `up ${formatAge(c.startedAt, now)}`;
  if (c.state === 'exited' || c.state === 'dead') return `exit ${c.exitCode ?? '?'} ${formatAge(c.finishedAt, now)}`;
  return c.state;
}

/** The Containers pane: every greenci-managed container with state, health, restarts, uptime, CPU and memory. */
export function containerRows(containers: ContainerRow[], width: number, now: number): Row[] {
  // state 11, restarts 5, since 12, cpu 8, memory 8; the image when there is room
  const nameW = Math.max(12, Math.min(40, width - 45 - (width >= 100 ? 24 : 0)));
  return containers.map((c) => {
    const h = containerHealth(c);
    const segs: Segment[] = [
      { text: `${fit(c.name, nameW)} ` },
      { text: `${fit(h.word, 10)} `, tone: h.tone },
      { text: `${fit(`↻${c.restarts}`, 4)} `, tone: c.restarts ? 'warn' : 'dim' },
      { text: `${fit(containerSince(c, now), 11)} ` },
      { text: `${fit(c.cpuPercent === undefined ? '-' : `${c.cpuPercent.toFixed(1)}%`, 7, 'right')} ` },
      { text: fit(formatBytes(c.memBytes), 8, 'right') },
    ];
    if (width >= 100) segs.push({ text: `  ${c.image ?? ''}`, tone: 'dim' });
    return row(`container:${c.id}`, segs, { project: c.project, containerId: c.id, containerName: c.name });
  });
}
