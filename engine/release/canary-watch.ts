import type { DockerPort } from '../docker/port.js';
import { httpGet } from '../http-probe.js';
import type { CanaryState, TrafficCounters } from '../model.js';
import type { FrontProxy } from '../proxy/front-proxy.js';
import { sleep } from '../time.js';
import { canaryProblem, countersOf, since } from './canary.js';
import type { CanaryControl, CanaryDecision } from './canary-control.js';
import type { ReleaseApp } from './docker-target.js';

/**
 * A canary's watch: for `forMs` the new release takes `weight` percent of requests while greenci
 * checks its apps' health paths (straight at the containers) and compares the proxy's 5xx counts
 * of both releases each second, publishing its progress. It ends promoted (time is up, or an
 * operator said so) or aborted (a check failed, or an operator said so). It changes nothing itself.
 */
export interface CanaryWatch {
  project: string;
  buildId: number;
  version: string;
  live: string;
  weight: number;
  forMs: number;
  apps: ReleaseApp[];
  docker: DockerPort;
  proxy: FrontProxy;
  control: CanaryControl;
  publish: (s: CanaryState) => void;
  log: (line: string) => void;
  tickMs?: number;
}

export interface CanaryEnd {
  outcome: 'promoted' | 'aborted';
  by: string;
  reason: string;
  state: CanaryState;
}

export async function watchCanary(w: CanaryWatch): Promise<CanaryEnd> {
  const tick = w.tickMs ?? 1000;
  const since0 = Date.now();
  const state: CanaryState = {
    project: w.project,
    buildId: w.buildId,
    version: w.version,
    live: w.live,
    weight: w.weight,
    since: since0,
    until: since0 + w.forMs,
    canary: { requests: 0, errors5xx: 0 },
    liveTraffic: { requests: 0, errors5xx: 0 },
  };
  const counts = async (): Promise<{ canary: TrafficCounters; live: TrafficCounters } | undefined> => {
    const routes = await w.proxy.routes();
    const stats = await w.proxy.stats().catch(() => undefined);
    if (!routes || !stats) return undefined;
    return { canary: countersOf(stats, routes, w.version), live: countersOf(stats, routes, w.live) };
  };
  // counted per tick and added up, so a proxy that restarts (its counters back at zero) loses nothing counted before
  let last = (await counts()) ?? { canary: { requests: 0, errors5xx: 0 }, live: { requests: 0, errors5xx: 0 } };
  const add = (a: TrafficCounters, b: TrafficCounters): TrafficCounters => ({
    requests: a.requests + b.requests,
    errors5xx: a.errors5xx + b.errors5xx,
  });
  const control = w.control.begin(w.project, w.version);
  let decision: CanaryDecision | undefined;
  void control.decided.then((d) => (decision = d));
  const stop = new AbortController();
  void control.decided.then(() => stop.abort());
  const end = (outcome: CanaryEnd['outcome'], by: string, reason: string): CanaryEnd => {
    control.end();
    const final = { ...state, outcome, decidedBy: by, reason };
    w.publish(final);
    return { outcome, by, reason, state: final };
  };
  w.publish(state);
  const misses = new Map<string, number>();
  try {
    while (Date.now() < state.until) {
      if (decision)
        return end(
          decision.decision === 'promote' ? 'promoted' : 'aborted',
          decision.by,
          `${decision.by} ${decision.decision === 'promote' ? 'promoted' : 'aborted'} it`,
        );
      for (const a of w.apps) {
        const info = await w.docker.inspectContainer(a.containerId);
        if (!info?.State.Running) return end('aborted', 'greenci', `app ${a.app} stopped (exit ${info?.State.ExitCode ?? '?'})`);
        const res = await httpGet(`http://${a.addr}:${a.port}${a.health}`, 2000).catch((err: NodeJS.ErrnoException) => ({
          status: 0,
          body: err.code ?? err.message,
        }));
        const n = res.status === 200 ? 0 : (misses.get(a.app) ?? 0) + 1;
        misses.set(a.app, n);
        if (n >= 3) return end('aborted', 'greenci', `app ${a.app} answered ${res.status || res.body} on ${a.health} three times in a row`);
      }
      const now = await counts();
      if (now) {
        state.canary = add(state.canary, since(now.canary, last.canary));
        state.liveTraffic = add(state.liveTraffic, since(now.live, last.live));
        last = now;
        const problem = canaryProblem(state.canary, state.liveTraffic);
        if (problem) return end('aborted', 'greenci', problem);
      }
      w.publish({ ...state });
      // an operator's word ends the wait (sleep throws at once when it came during the checks)
      if (!stop.signal.aborted) await sleep(Math.max(0, Math.min(tick, state.until - Date.now())), stop.signal).catch(() => undefined);
    }
    if (decision) return end(decision.decision === 'promote' ? 'promoted' : 'aborted', decision.by, `${decision.by} decided`);
    return end('promoted', 'greenci', `healthy for ${Math.round(w.forMs / 1000)} s at ${w.weight}%`);
  } finally {
    control.end();
  }
}
