import type { DaemonInfo } from '../../engine/api.js';
import type { DeploymentRecord, TrafficView } from '../../engine/model.js';
import type { Snapshot } from '../../engine/state.js';
import { formatDuration, formatTime } from '../../engine/duration.js';
import { githubLine } from './github-text.js';
import { healthSummary } from './health-text.js';
import { holdLine } from './hold-text.js';
import { previewLine } from './preview-rows.js';
import { printable } from './printable.js';
import { table } from './table.js';
import { trafficLine } from './traffic-text.js';

/**
 * `greenci status`: who answers, each project's environments and holds, where production's requests
 * go (`traffic`, per project as the front proxy is set, with a running canary), the queue and smee, as plain text.
 */
export function statusText(
  s: Snapshot,
  daemon: DaemonInfo | undefined,
  now = Date.now(),
  traffic: Record<string, TrafficView | undefined> = {},
): string {
  const lines: string[] = [];
  lines.push(
    daemon
      ? `daemon: pid ${daemon.pid}, greenci ${daemon.version}, up ${formatDuration(now - daemon.startedAt)}${daemon.draining ? ' (stopping)' : ''}; webhooks ${daemon.webhook ?? 'off'}; socket ${daemon.socket}${daemon.reconciledAt ? `; reconciled ${formatTime(daemon.reconciledAt).slice(11)}` : ''}`
      : 'daemon: not running (this answer comes from the database, in-process)',
  );
  lines.push('');
  const projects = Object.keys(s.environments).sort();
  lines.push(
    table(
      ['PROJECT', 'PRODUCTION', 'LAST PRODUCTION CHANGE', 'TEST ENVIRONMENT', 'SMEE'],
      projects.map((p) => {
        const env = s.environments[p] ?? {};
        const smee = s.smee[p];
        return [
          p,
          `${s.live[p]?.version ?? 'no release'}${s.holds?.[p] ? ' (held)' : ''}`,
          deployment(env.production),
          deployment(env.test),
          smee ? `${smee.state} since ${formatTime(smee.since).slice(11)}` : '-',
        ];
      }),
    ),
  );
  const holds = projects.flatMap((p) => (s.holds?.[p] ? [holdLine(s.holds[p])] : []));
  if (holds.length) lines.push('', ...holds);
  const routes = projects.flatMap((p) => {
    const t = traffic[p];
    const l = t && trafficLine(t, s.canaries?.[p]);
    return l ? [l] : [];
  });
  if (routes.length) lines.push('', ...routes);
  const previews = projects.flatMap((p) => (s.previews?.[p] ?? []).map(previewLine));
  if (previews.length) lines.push('', ...previews);
  const running = s.builds.filter((b) => b.status === 'running');
  const queued = s.builds.filter((b) => b.status === 'queued').reverse();
  lines.push('');
  lines.push(
    `running: ${running.length ? running.map((b) => `#${b.id} ${b.project} ${printable(b.branch)} (${b.stages.find((st) => st.status === 'running')?.name ?? 'starting'})`).join(', ') : 'none'}`,
  );
  lines.push(`queued:  ${queued.length ? queued.map((b) => `#${b.id} ${b.project} ${printable(b.branch)}`).join(', ') : 'none'}`);
  lines.push(healthSummary(s.health ?? {}));
  if (s.github) lines.push(githubLine(s.github, now));
  return lines.join('\n');
}

function deployment(d: DeploymentRecord | undefined): string {
  if (!d) return '-';
  const what = d.kind === 'deploy' && d.buildId ? `build #${d.buildId}` : `${d.kind}${d.version ? ` ${d.version}` : ''}`;
  return `${what} ${d.status} ${formatTime(d.finishedAt ?? d.startedAt)}`;
}
