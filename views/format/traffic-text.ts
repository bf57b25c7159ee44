import { formatDuration, formatTime } from '../../engine/duration.js';
import type { CanaryState, TrafficCounters, TrafficView } from '../../engine/model.js';
import { printable } from './printable.js';
import { clip, row, type Row, type Segment } from './row.js';

type AppTraffic = TrafficView['apps'][number];

/** The port of a listen address: `:8001` of `127.0.0.1:8001` or `[::1]:8001`. */
const portOf = (listen: string): string => listen.slice(listen.lastIndexOf(':'));

/**
 * Who takes an app's new requests: `v0.3.0`, or `v0.3.0 90% + v0.4.0 10%` while two share them
 * (the larger share first); `nothing` when no release does.
 */
export function sharesText(shares: AppTraffic['shares']): string {
  const total = shares.reduce((t, s) => t + s.weight, 0);
  if (!shares.length || total <= 0) return 'nothing';
  if (shares.length === 1) return shares[0].release;
  return [...shares]
    .sort((a, b) => b.weight - a.weight || a.release.localeCompare(b.release))
    .map((s) => `${s.release} ${Math.round((s.weight / total) * 100)}%`)
    .join(' + ');
}

/** The apps by name, as every list shows them (the proxy holds them in start order). */
const byName = (t: TrafficView): AppTraffic[] => [...t.apps].sort((a, b) => a.app.localeCompare(b.app));

/** `billing :8001 → v0.3.0; weight :8002 → v0.3.0`. */
function appsText(t: TrafficView): string {
  return byName(t)
    .map((a) => `${a.app} ${portOf(a.listen)} → ${sharesText(a.shares)}`)
    .join('; ');
}

/** A 5xx rate with its counts: `0.8% (1/120)`; `0/0` before the first request. */
export function errorsText(c: TrafficCounters): string {
  return c.requests ? `${((c.errors5xx / c.requests) * 100).toFixed(1)}% (${c.errors5xx}/${c.requests})` : `${c.errors5xx}/0`;
}

/**
 * `greenci status`'s line for a project's production traffic through the front proxy:
 * `traffic green: billing :8001 → v0.3.0; weight :8002 → v0.3.0`; during a canary each app's
 * shares and, from the canary's own progress, `(canary until 14:03:05, canary 5xx 0/120, live 0/1080)`;
 * `front proxy down` when it is. Nothing when production does not go through the proxy.
 */
export function trafficLine(t: TrafficView, canary?: CanaryState): string | undefined {
  if (t.proxy === 'none') return undefined;
  const apps = appsText(t);
  const c =
    canary && !canary.outcome
      ? ` (canary until ${formatTime(canary.until).slice(11)}, canary 5xx ${canary.canary.errors5xx}/${canary.canary.requests}, live ${canary.liveTraffic.errors5xx}/${canary.liveTraffic.requests})`
      : '';
  return printable(
    t.proxy === 'down' ? `traffic ${t.project}: front proxy down (set for ${apps})${c}` : `traffic ${t.project}: ${apps}${c}`,
  );
}

/**
 * The Environments pane's rows under a production heading: where requests go
 * (`  traffic  billing :8001, weight :8002 → v0.3.0`, or `front proxy down`), and a running
 * canary with its share, the time it has left and both releases' 5xx rates. None when
 * production does not go through the proxy (or its traffic is not known yet) and no canary runs.
 */
export function trafficRows(
  project: string,
  t: TrafficView | undefined,
  canary: CanaryState | undefined,
  width: number,
  now: number,
): Row[] {
  const out: Row[] = [];
  if (t && t.proxy !== 'none') {
    const segs: Segment[] = [{ text: '  traffic  ', tone: 'dim' }];
    if (t.proxy === 'down') segs.push({ text: 'front proxy down', tone: 'bad', bold: true }, { text: '  set for ', tone: 'dim' });
    // apps served alike are one group: `billing :8001, weight :8002 → v0.3.0 90% + v0.4.0 10%`
    const groups: { apps: string[]; shares: string; split: boolean }[] = [];
    for (const a of byName(t)) {
      const shares = sharesText(a.shares);
      const last = groups.at(-1);
      if (last?.shares === shares) last.apps.push(`${a.app} ${portOf(a.listen)}`);
      else groups.push({ apps: [`${a.app} ${portOf(a.listen)}`], shares, split: a.shares.length > 1 });
    }
    groups.forEach((g, i) => {
      segs.push({ text: `${i ? '  ' : ''}${g.apps.join(', ')} → ` }, { text: g.shares, tone: g.split ? 'busy' : 'ok' });
    });
    if (!t.apps.length) segs.push({ text: 'no apps', tone: 'dim' });
    out.push(line(`env:${project}:production:traffic`, clip(segs.map(clean), width), project));
  }
  if (canary && !canary.outcome) {
    const left = canary.until - now;
    const segs: Segment[] = [
      { text: '  canary   ', tone: 'dim' },
      { text: `${canary.version} ${canary.weight}%`, tone: 'busy', bold: true },
      { text: left > 0 ? `, ${formatDuration(left)} left  ` : ', ending  ', tone: 'dim' },
      { text: `5xx ${errorsText(canary.canary)}`, tone: canary.canary.errors5xx ? 'bad' : 'ok' },
      { text: `, live ${canary.live} ${errorsText(canary.liveTraffic)}  `, tone: canary.liveTraffic.errors5xx ? 'warn' : 'dim' },
      { text: '+ promote  - abort', tone: 'dim' },
    ];
    out.push(line(`env:${project}:production:canary`, clip(segs.map(clean), width), project));
  }
  return out;
}

const clean = (s: Segment): Segment => ({ ...s, text: printable(s.text) });

function line(key: string, segs: Segment[], project: string): Row {
  const r = row(key, segs, { project });
  // `/production` finds them under their heading too
  return { ...r, text: `${project} production ${r.text}` };
}
