import type { HealthcheckSpec } from '../../config/project-spec.js';
import type { DockerPort } from '../docker/port.js';
import { StageError, throwIfAborted } from '../errors.js';
import { httpGet } from '../http-probe.js';
import { sleep } from '../time.js';

/** Waiting for containers to become healthy, bounded by a timeout, failing fast when they die. */

const POLL_MS = 200;

async function deathNotice(docker: DockerPort, id: string, what: string): Promise<string | undefined> {
  const info = await docker.inspectContainer(id);
  if (!info) return `${what}: its container is gone`;
  const st = info.State;
  if (st.Status === 'exited' || st.Status === 'dead' || st.Restarting || (info.RestartCount ?? 0) > 0) {
    const tail = await docker.containerLogs(id, 15);
    return `${what} exited (code ${st.ExitCode}) before it became healthy${tail.length ? `; last output:\n${tail.join('\n')}` : ''}`;
  }
  return undefined;
}

/**
 * How long a service may take to become healthy: the environment's health timeout, or longer when
 * the service's own health check allows more (a database's first start initialises its data
 * directory: `start_period` says how long that may take, then `retries` checks may fail). Docker
 * itself calls the container unhealthy at about that time; greenci does not give up before it.
 */
export function serviceHealthBudgetMs(timeoutMs: number, check?: HealthcheckSpec): number {
  if (!check) return timeoutMs;
  return Math.max(timeoutMs, check.startPeriodMs + check.retries * (check.intervalMs + check.timeoutMs));
}

/**
 * Waits until a service is healthy: Docker's own health check says so, or (while Docker still
 * says "starting", its first check being a whole interval away) the same check command run by
 * greenci exits 0. Without a health check, running is enough. The wait is bounded by
 * serviceHealthBudgetMs.
 */
export async function waitContainerHealthy(
  docker: DockerPort,
  id: string,
  what: string,
  timeoutMs: number,
  signal?: AbortSignal,
  check?: HealthcheckSpec,
): Promise<void> {
  const budgetMs = serviceHealthBudgetMs(timeoutMs, check);
  const deadline = Date.now() + budgetMs;
  for (;;) {
    throwIfAborted(signal);
    const dead = await deathNotice(docker, id, what);
    if (dead) throw new StageError(dead);
    const info = await docker.inspectContainer(id);
    const health = info?.State.Health?.Status;
    if (health === 'healthy' || (health === undefined && info?.State.Running)) return;
    if (health === 'unhealthy') {
      const last = info?.State.Health?.Log?.at(-1)?.Output?.trim();
      throw new StageError(`${what} is unhealthy${last ? `: ${last}` : ''}`);
    }
    if (health === 'starting' && check?.test[0] === 'CMD' && (await docker.execExitCode(id, check.test.slice(1), check.timeoutMs)) === 0)
      return;
    if (Date.now() > deadline)
      throw new StageError(`${what} did not become healthy within ${Math.round(budgetMs / 1000)} s (health: ${health ?? 'none'})`);
    await sleep(POLL_MS, signal);
  }
}

/** Polls an app's health URL until it answers 200; fails fast if the container dies. */
export async function waitHttpHealthy(
  docker: DockerPort,
  id: string,
  url: string,
  what: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    throwIfAborted(signal);
    const dead = await deathNotice(docker, id, what);
    if (dead) throw new StageError(dead);
    try {
      const res = await httpGet(url, 2000);
      if (res.status === 200) return;
      last = `${res.status}${res.body ? ` ${res.body}` : ''}`;
    } catch (err) {
      last = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new StageError(`${what} did not answer 200 on ${url} within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
    await sleep(POLL_MS, signal);
  }
}
