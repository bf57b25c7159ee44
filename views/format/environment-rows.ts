import type { ContainerRow, DeploymentRecord, HealthRecord, TrafficView } from '../../engine/model.js';
import type { Snapshot } from '../../engine/state.js';
import { formatAge } from './ago.js';
import { containerHealth, containerSince } from './container-rows.js';
import { healthTrouble, serviceHealth, troubleSegments } from './health.js';
import { holdSegment } from './hold-text.js';
import { previewRows } from './preview-rows.js';
import { printable } from './printable.js';
import { clip, fit, row, type Row, type Segment, type Tone } from './row.js';
import { trafficRows } from './traffic-text.js';

const ENVS = ['production', 'test'] as const;

function deploymentWords(d: DeploymentRecord | undefined, now: number): Segment {
  if (!d) return { text: 'never deployed', tone: 'dim' };
  const what = d.kind === 'deploy' && d.buildId ? `deploy #${d.buildId}` : `${d.kind}${d.version ? ` ${d.version}` : ''}`;
  const tone = d.status === 'failed' ? 'bad' : d.status === 'running' ? 'busy' : d.status === 'interrupted' ? 'warn' : 'dim';
  return {
    text: `${what} ${d.status} ${formatAge(d.finishedAt ?? d.startedAt, now)} ago${d.requestedBy ? ` by ${printable(d.requestedBy)}` : ''}`,
    tone,
  };
}

/**
 * What the Environments pane reads of the snapshot (builds and the rest change without it), and
 * where each project's production requests go, as last read from the front proxy.
 */
export type EnvironmentsView = Pick<Snapshot, 'environments' | 'live' | 'containers' | 'docker' | 'health'> &
  Partial<Pick<Snapshot, 'holds' | 'canaries' | 'previews'>> & { traffic?: Record<string, TrafficView | undefined> };

/**
 * The Environments pane: per project, production, test, then each live preview, a heading with what is live (and who
 * holds production, when it is held) and the last change; under production, where its requests go
 * (each app's release and share) and a running canary (its share, time left, both releases' 5xx);
 * then each app and service with image tag, release, commit, health and since when.
 * Where the monitor finds an app or service down or degraded, its word wins and a line under the
 * row says why; greenci's own failing checks come first, under a `greenci checks` heading.
 */
export function environmentRows(s: EnvironmentsView, width: number, now: number): Row[] {
  const out: Row[] = [];
  const wide = width >= 110;
  const health = s.health ?? {};
  const monitored = serviceHealth(health);
  const own = greenciRows(health, width, now);
  if (own.trouble) out.push(...own.rows);
  const containerRows = (c: ContainerRow): Row[] => {
    const h = monitored.get(`${c.project}/${c.env}/${c.service ?? c.name}`);
    const rows = [serviceRow(c, h, wide, now)];
    if (healthTrouble(h))
      rows.push(
        whyRow(
          h!,
          width,
          now,
          { project: c.project, containerId: c.id, containerName: c.name },
          `service:${c.id}`,
          `${c.project} ${c.env} ${c.service ?? c.name}`,
        ),
      );
    return rows;
  };
  const projects = Object.keys(s.environments).sort();
  for (const project of projects) {
    for (const env of ENVS) {
      const d = s.environments[project]?.[env];
      const live = env === 'production' ? s.live[project]?.version : undefined;
      const head: Segment[] = [
        { text: `${project} `, tone: 'accent', bold: true },
        { text: `${env} `, bold: true },
      ];
      if (env === 'production') head.push({ text: live ? `${live} live  ` : 'no release live  ', tone: live ? 'ok' : 'warn' });
      const hold = env === 'production' ? s.holds?.[project] : undefined;
      if (hold) head.push(holdSegment(hold, now));
      head.push(deploymentWords(d, now));
      out.push(row(`env:${project}:${env}`, head, { project, heading: true }));
      if (env === 'production') out.push(...trafficRows(project, s.traffic?.[project], s.canaries?.[project], width, now));
      const services = s.containers.filter((c) => c.project === project && c.env === env && c.role !== 'test');
      // what the monitor misses (a container gone) has no container row: it gets a row of its own
      const named = new Set(services.map((c) => c.service ?? c.name));
      const missing = [...monitored.values()]
        .filter((h) => h.project === project && h.env === env && !named.has(h.service!) && healthTrouble(h))
        .sort((a, b) => a.key.localeCompare(b.key));
      if (!services.length && !missing.length) {
        const why = s.docker && !s.docker.reachable ? 'Docker not reachable' : s.docker ? 'no containers' : 'looking at Docker…';
        out.push(row(`env:${project}:${env}:none`, [{ text: `  ${why}`, tone: 'dim' }], { project }));
      }
      for (const c of services) out.push(...containerRows(c));
      for (const h of missing) {
        out.push(goneRow(h, wide));
        out.push(whyRow(h, width, now, { project }, `health:${h.key}`, `${project} ${env} ${h.service}`));
      }
    }
    out.push(...previewRows(project, s.previews?.[project], s.containers, now, containerRows));
  }
  if (!own.trouble) out.push(...own.rows);
  return out;
}

/** How many apps and services are not healthy, by Docker's word or the monitor's (each counted once). */
export function unhealthyServices(s: Snapshot): number {
  const bad = new Set<string>();
  for (const c of s.containers)
    if (c.role !== 'test' && (c.state !== 'running' || c.health === 'unhealthy')) bad.add(`${c.project}/${c.env}/${c.service ?? c.name}`);
  for (const [k, h] of serviceHealth(s.health ?? {})) if (healthTrouble(h) && h.project && h.project in s.environments) bad.add(k);
  return bad.size;
}

function serviceRow(c: ContainerRow, h: HealthRecord | undefined, wide: boolean, now: number): Row {
  const trouble = healthTrouble(h);
  const word: { word: string; tone: Tone } = trouble ?? containerHealth(c);
  const tag = c.image.includes(':') ? c.image.slice(c.image.lastIndexOf(':') + 1) : c.image;
  const segs: Segment[] = [
    { text: `  ${fit(c.service ?? c.name, 12)} ` },
    { text: `${fit(wide ? c.image : tag, wide ? 32 : 16)} `, tone: 'dim' },
    { text: `${fit(c.release ?? '-', 10)} ` },
    { text: `${fit(word.word, 10)} `, tone: word.tone, bold: !!trouble },
    { text: `${fit(containerSince(c, now), 10)} ` },
    { text: `${(c.commit ?? '').slice(0, 7)} `, tone: 'dim' },
    { text: printable(c.subject ?? '') },
  ];
  const r = row(`service:${c.id}`, segs, { project: c.project, containerId: c.id, containerName: c.name });
  // `/production` or `/green` finds the rows under those headings too
  return { ...r, text: `${c.project} ${c.env} ${r.text}` };
}

/** An app or service the monitor finds failing and Docker has no container of. */
function goneRow(h: HealthRecord, wide: boolean): Row {
  const t = healthTrouble(h)!;
  const segs: Segment[] = [
    { text: `  ${fit(printable(h.service ?? h.title), 12)} ` },
    { text: `${fit('-', wide ? 32 : 16)} `, tone: 'dim' },
    { text: `${fit('-', 10)} ` },
    { text: `${fit(t.word, 10)} `, tone: t.tone, bold: true },
    { text: 'no container', tone: 'dim' },
  ];
  const r = row(`health:${h.key}`, segs, { project: h.project });
  return { ...r, text: `${h.project} ${h.env} ${r.text}` };
}

/** The line under a failing app or service: `    ✗ down for 2m: exited (code 137) · flapping`. */
function whyRow(h: HealthRecord, width: number, now: number, ref: Omit<Row, 'key' | 'segments' | 'text'>, key: string, names: string): Row {
  const t = healthTrouble(h)!;
  const segs = clip(
    [{ text: `    ${t.icon} ` }, { text: t.word, tone: t.tone, bold: true }, { text: ' for', tone: t.tone }, ...troubleSegments(h, now)],
    width,
  );
  const r = row(`${key}:why`, segs, ref);
  return { ...r, text: `${names} ${r.text}` };
}

/**
 * greenci's own checks (Docker, the webhook endpoint, smee relays, stuck builds): when some fail,
 * a heading and one line each, first in the pane; when none do, one quiet line at the end; nothing
 * when the monitor has not reported any (an older daemon, monitoring off).
 */
function greenciRows(health: Record<string, HealthRecord>, width: number, now: number): { rows: Row[]; trouble: boolean } {
  const own = Object.values(health).filter((h) => h.kind === 'greenci' || h.kind === 'build');
  if (!own.length) return { rows: [], trouble: false };
  const failing = own
    .filter((h) => healthTrouble(h))
    .sort((a, b) => (a.state === b.state ? a.key.localeCompare(b.key) : a.state === 'down' ? -1 : 1));
  if (!failing.length) {
    const unchecked = own.filter((h) => h.state !== 'healthy').length;
    const text = unchecked ? ` checks: nothing failing (${unchecked} not checked yet)` : ' checks: all healthy';
    return {
      rows: [
        row(
          'greenci:ok',
          clip(
            [
              { text: 'greenci', tone: 'accent', bold: true },
              { text, tone: 'dim' },
            ],
            width,
          ),
        ),
      ],
      trouble: false,
    };
  }
  const down = failing.filter((h) => h.state === 'down').length;
  const degraded = failing.length - down;
  const counts: Segment[] = [];
  if (down) counts.push({ text: `${down} down`, tone: 'bad', bold: true });
  if (down && degraded) counts.push({ text: ', ' });
  if (degraded) counts.push({ text: `${degraded} degraded`, tone: 'warn', bold: true });
  const rows = [
    row('greenci', clip([{ text: 'greenci', tone: 'accent', bold: true }, { text: ' checks  ', bold: true }, ...counts], width), {
      heading: true,
    }),
  ];
  for (const h of failing) {
    const t = healthTrouble(h)!;
    const title = printable(h.title).replace(/^greenci /, '');
    const build = h.kind === 'build' ? /^greenci\/build-(\d+)$/.exec(h.key) : null;
    const segs = clip(
      [
        { text: `  ${t.icon} `, tone: t.tone },
        { text: `${title} ` },
        { text: t.word, tone: t.tone, bold: true },
        { text: ' for', tone: t.tone },
        ...troubleSegments(h, now),
      ],
      width,
    );
    const r = row(`greenci:${h.key}`, segs, { project: h.project, buildId: build ? Number(build[1]) : undefined });
    rows.push({ ...r, text: `greenci ${r.text}` });
  }
  return { rows, trouble: true };
}
