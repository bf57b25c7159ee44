import type { EnvName } from '../../config/project-spec.js';
import { LABEL } from '../docker/names.js';
import type { ContainerDetails } from '../docker/port.js';
import { reachableHost } from '../docker/published-port.js';
import type { HealthRecord } from '../model.js';

/**
 * What one monitoring round saw of one thing, and the pure rules that turn Docker's and an
 * endpoint's answers into it. `ok: undefined` is no verdict (a container still starting): the
 * health state stays where it is.
 */
export interface Observation {
  key: string;
  kind: HealthRecord['kind'];
  project?: string;
  env?: EnvName;
  service?: string;
  title: string;
  ok: boolean | undefined;
  detail?: string;
  /** The container checked, for self-healing. */
  containerId?: string;
  /** The deployment the environment stood on when observed (self-healing restarts only under the same one). */
  deploymentId?: number;
  /** The first look after a new deployment: failures counted before it do not carry over. */
  fresh?: boolean;
}

const ENV_SHORT: Record<EnvName, string> = { production: 'prod', test: 'test' };

export const serviceKey = (project: string, env: EnvName, service: string): string => `${project}/${env}/${service}`;
export const serviceTitle = (project: string, env: EnvName, service: string): string => `${project} ${ENV_SHORT[env]} ${service}`;

/** Docker's verdict on a container: not running, restarting, unhealthy, or restarted since the last round. */
export function containerVerdict(info: ContainerDetails, restartsBefore: number | undefined): { ok: boolean | undefined; detail?: string } {
  const st = info.State;
  const restarts = info.RestartCount ?? 0;
  if (st.OOMKilled && !st.Running) return { ok: false, detail: `killed: out of memory (exit code ${st.ExitCode})` };
  if (st.Restarting) return { ok: false, detail: `restarting (exit code ${st.ExitCode}, ${restarts} restart${restarts === 1 ? '' : 's'})` };
  if (st.Paused) return { ok: false, detail: 'paused' };
  if (!st.Running)
    return { ok: false, detail: st.Status === 'created' ? 'not started' : `${st.Status || 'stopped'} (code ${st.ExitCode})` };
  if (restartsBefore !== undefined && restarts > restartsBefore)
    return {
      ok: false,
      detail: `restarted by Docker (${restarts - restartsBefore} time${restarts - restartsBefore === 1 ? '' : 's'} since the last check)`,
    };
  const health = st.Health?.Status;
  if (health === 'unhealthy') {
    const last = st.Health?.Log?.at(-1)?.Output?.trim().split('\n').at(-1);
    return { ok: false, detail: `unhealthy${last ? `: ${last.slice(0, 200)}` : ''}` };
  }
  if (health === 'starting') return { ok: undefined, detail: 'starting' };
  return { ok: true };
}

/** Where an app's health path answers on this host: its published port, through the address it is bound to. */
export function healthUrl(info: ContainerDetails): string | undefined {
  const ports = info.NetworkSettings?.Ports ?? {};
  const binding = Object.entries(ports)
    .filter(([k, v]) => k.endsWith('/tcp') && v?.length)
    .map(([, v]) => v[0])[0];
  const path = info.Config.Labels?.[LABEL.health] ?? '/health';
  if (binding?.HostPort) return `http://${reachableHost(binding.HostIp ?? '')}:${binding.HostPort}${path}`;
  // production's apps behind the front proxy publish nothing: straight to the container on its network
  const port = Object.keys(ports).find((k) => k.endsWith('/tcp'));
  const addr = Object.values(info.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
  if (!port || !addr) return undefined;
  return `http://${addr}:${Number.parseInt(port, 10)}${path}`;
}

/** An HTTP answer from a health path as a verdict. */
export function httpVerdict(r: { status: number; body: string } | { error: string }, url: string): { ok: boolean; detail?: string } {
  if ('error' in r) return { ok: false, detail: `${url}: ${r.error}` };
  if (r.status === 200) return { ok: true };
  return { ok: false, detail: `${url} answered ${r.status}${r.body ? `: ${r.body.slice(0, 120)}` : ''}` };
}

/** A build running longer than allowed, in a sentence. */
export function stuckDetail(
  b: { id: number; project: string; branch: string; startedAt?: number; stages: { name: string; status: string }[] },
  now: number,
): string {
  const mins = Math.floor((now - (b.startedAt ?? now)) / 60_000);
  const secs = Math.floor((now - (b.startedAt ?? now)) / 1000);
  const stage = b.stages.find((s) => s.status === 'running')?.name;
  return `build #${b.id} (${b.project} ${b.branch}) running for ${mins >= 1 ? `${mins} min` : `${secs} s`}${stage ? `, in stage ${stage}` : ''}`;
}
