/**
 * A service's health as the monitor keeps it, and the one rule that moves it: pure, so the
 * thresholds and the damping of flapping are tested without a container in sight.
 */

import type { Health, ServiceHealth } from '../model.js';

export type { Health, ServiceHealth };

export interface HealthThresholds {
  /** Failed checks in a row before a healthy service is `degraded`. */
  degradedAfter: number;
  /** Failed checks in a row before it is `down`. */
  downAfter: number;
  /** Passed checks in a row before a degraded or down service is `healthy` again. */
  recoverAfter: number;
  /**
   * More than `flapLimit` transitions within `flapWindowMs` is flapping: alerts pause until it
   * settles, except for a down that lasts (see `lastingDownMs`).
   */
  flapLimit: number;
  flapWindowMs: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  degradedAfter: 1,
  downAfter: 2,
  recoverAfter: 2,
  flapLimit: 4,
  flapWindowMs: 10 * 60_000,
};

export interface Transition {
  from: Health;
  to: Health;
  detail?: string;
  /** Whether people should hear of it: not while flapping, not for the first sight of a healthy service. */
  alert: boolean;
  /** This transition started a flapping spell (one alert says so, then quiet). */
  flapStarted?: boolean;
}

export const initialHealth = (now: number): ServiceHealth => ({
  state: 'unknown',
  since: now,
  failures: 0,
  successes: 0,
  recent: [],
  flapping: false,
});

/** One check's outcome applied: the next state, and the transition when the state changed. */
export function observe(
  h: ServiceHealth,
  ok: boolean,
  detail: string | undefined,
  now: number,
  t: HealthThresholds = DEFAULT_THRESHOLDS,
): { next: ServiceHealth; transition?: Transition } {
  const failures = ok ? 0 : h.failures + 1;
  const successes = ok ? h.successes + 1 : 0;
  let to: Health = h.state;
  if (ok) {
    if (h.state === 'unknown' || (h.state !== 'healthy' && successes >= t.recoverAfter)) to = 'healthy';
  } else if (failures >= t.downAfter) to = 'down';
  else if (failures >= t.degradedAfter && (h.state === 'healthy' || h.state === 'unknown')) to = 'degraded';

  const recent = h.recent.filter((at) => now - at < t.flapWindowMs);
  // a spell of flapping ends when the window holds no transitions
  const wasFlapping = h.flapping && recent.length > 0;
  const base = { ...h, failures, successes, detail: ok ? h.detail : detail, recent, flapping: wasFlapping };
  if (to === h.state) return { next: base };

  recent.push(now);
  const flapping = recent.length > t.flapLimit;
  const next: ServiceHealth = { ...base, state: to, since: now, recent, flapping, detail: ok ? undefined : detail };
  const firstSight = h.state === 'unknown' && to === 'healthy';
  const flapStarted = flapping && !wasFlapping;
  return {
    next,
    transition: {
      from: h.state,
      to,
      detail: ok ? undefined : detail,
      alert: !firstSight && (!flapping || flapStarted),
      flapStarted: flapStarted || undefined,
    },
  };
}

/**
 * How long a down lasts, while flapping, before it is no blip but an outage that people hear of
 * all the same: `flapWindowMs / flapLimit` (2½ min by default). Flapping is changes closer than
 * that apart on average; a down that has held longer than that is not part of the flapping.
 */
export const lastingDownMs = (t: HealthThresholds): number => Math.round(t.flapWindowMs / t.flapLimit);

/**
 * Whether the check at `now` is the first to find a down, begun while flapping, that has lasted
 * `lastingDownMs`: the one check (the previous was at `prevCheckAt`, before the mark) that tells it,
 * so it is told once however many checks follow.
 */
export function downHasLasted(h: ServiceHealth, prevCheckAt: number, now: number, t: HealthThresholds = DEFAULT_THRESHOLDS): boolean {
  const mark = h.since + lastingDownMs(t);
  return h.state === 'down' && h.flapping && prevCheckAt < mark && now >= mark;
}

/** Whether a down, begun while flapping, was checked past its `lastingDownMs` mark (so it was told). */
export const downWasTold = (h: ServiceHealth, lastCheckAt: number, t: HealthThresholds = DEFAULT_THRESHOLDS): boolean =>
  h.state === 'down' && h.flapping && lastCheckAt >= h.since + lastingDownMs(t);
