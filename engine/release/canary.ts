import type { ProjectSpec } from '../../config/project-spec.js';
import { UsageError } from '../errors.js';
import type { TrafficCounters } from '../model.js';
import type { ProxyRoutes, Slot } from '../proxy/routes.js';
import type { ServerStat } from '../proxy/runtime-api.js';

/**
 * Judging a canary from the front proxy's own counters: the new release's 5xx rate against the
 * live release's over the same time. Pure; tested with exact equality.
 */

/**
 * greenci.yml's production as a release with this canary (an operator's `greenci release --canary`):
 * the rest of its release policy kept, the defaults where it had none.
 */
export function withCanary(spec: ProjectSpec, canary: { weight: number; forMs: number }): ProjectSpec {
  if (!Number.isInteger(canary.weight) || canary.weight < 1 || canary.weight > 99)
    throw new UsageError(`a canary's weight is a whole percent from 1 to 99, not ${canary.weight}`);
  if (!(canary.forMs >= 1000)) throw new UsageError(`a canary lasts at least 1 s, not ${canary.forMs} ms`);
  const production = spec.environments.production;
  const policy = production.release ?? { verifyMs: 30_000, keepWarmMs: 600_000, warm: 'running' as const };
  return {
    ...spec,
    environments: { ...spec.environments, production: { ...production, release: { ...policy, canary: { ...canary } } } },
  };
}

/** Fewer canary requests than this say nothing yet. */
export const MIN_CANARY_REQUESTS = 20;

/** A release's counters: the sum over every app's server slot it fills. */
export function countersOf(stats: ServerStat[], routes: ProxyRoutes, release: string): TrafficCounters {
  const out = { requests: 0, errors5xx: 0 };
  for (const a of routes.apps) {
    for (const slot of ['a', 'b'] as Slot[]) {
      if (a.slots[slot]?.release !== release) continue;
      const st = stats.find((x) => x.backend === a.app && x.server === slot);
      if (st) (out.requests += st.requests), (out.errors5xx += st.errors5xx);
    }
  }
  return out;
}

/** What was counted since `base` (the proxy's counters only grow, unless it restarted: then from zero). */
export function since(now: TrafficCounters, base: TrafficCounters): TrafficCounters {
  if (now.requests < base.requests || now.errors5xx < base.errors5xx) return now;
  return { requests: now.requests - base.requests, errors5xx: now.errors5xx - base.errors5xx };
}

const pct = (c: TrafficCounters): string => (c.requests ? `${((100 * c.errors5xx) / c.requests).toFixed(1)}%` : 'n/a');

/**
 * Fails the canary when its 5xx rate is above 5 % and above twice the live release's (once it has
 * had MIN_CANARY_REQUESTS requests); undefined while it holds up.
 */
export function canaryProblem(canary: TrafficCounters, live: TrafficCounters): string | undefined {
  if (canary.requests < MIN_CANARY_REQUESTS) return undefined;
  const rate = canary.errors5xx / canary.requests;
  const liveRate = live.requests ? live.errors5xx / live.requests : 0;
  if (rate > 0.05 && rate > 2 * liveRate)
    return `its 5xx rate is ${pct(canary)} (${canary.errors5xx} of ${canary.requests}) against ${pct(live)} for the live release`;
  return undefined;
}
