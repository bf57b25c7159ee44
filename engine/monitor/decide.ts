import { formatDuration } from '../duration.js';
import type { HealthRecord } from '../model.js';
import type { Observation } from './checks.js';
import { downHasLasted, downWasTold, initialHealth, observe, type Health, type HealthThresholds } from './health-state.js';

/**
 * What one observation does to a checked thing: its next record, the change to store, whether
 * ops hear of it now, and whether greenci restarts its container first. Pure.
 *
 * - Ops hear of `down` and of the recovery after a `down` they heard of; `degraded` only shows.
 * - Self-healing (where enabled): a down container is restarted, up to `maxRestarts` times,
 *   before anyone is told; only if it stays down is the alert sent (saying so). The count goes
 *   back to zero only after a whole flap window healthy, so a crash loop slower than the checks
 *   still runs out of restarts and is alerted.
 * - Flapping: one alert says so, then quiet; when it settles, whatever people have not heard
 *   (still down, or recovered) is told once. Damping merges blips, never an outage: a down that
 *   lasts `lastingDownMs` while flapping is told once all the same, and its recovery as usual.
 */
export interface HealPolicy {
  enabled: boolean;
  maxRestarts: number;
  /** A restart was made recently: wait for it to come up rather than restart again or alert. */
  coolingDown: boolean;
}

export interface Decision {
  next: HealthRecord;
  transition?: { from: Health; to: Health; detail?: string; alert: boolean; note?: string; at: number };
  heal: boolean;
  /** Whether anything people see changed (state, detail, flapping, alerting): worth an event. */
  changed: boolean;
}

export function decide(prev: HealthRecord | undefined, obs: Observation, now: number, t: HealthThresholds, heal: HealPolicy): Decision {
  const base: HealthRecord = {
    ...(prev ?? { ...initialHealth(now), alerted: false, healAttempts: 0, checkedAt: now }),
    key: obs.key,
    kind: obs.kind,
    project: obs.project,
    env: obs.env,
    service: obs.service,
    title: obs.title,
  };
  // a new deployment replaced the containers: what failed before it says nothing about these
  if (obs.fresh) (base.failures = 0), (base.successes = 0);
  // restarts are counted until the service has stayed healthy for a whole flap window
  if (base.healAttempts && base.state === 'healthy' && now - base.since >= t.flapWindowMs) base.healAttempts = 0;
  if (obs.ok === undefined) {
    const next = { ...base, checkedAt: now };
    // no verdict (a container starting), but a down that has lasted through flapping is told all the same
    const transition = downHasLasted(base, base.checkedAt, now, t) ? tellLastingDown(next, now) : undefined;
    return { next, transition, heal: false, changed: !prev || transition !== undefined };
  }
  const { next: h, transition: moved } = observe(base, obs.ok, obs.detail, now, t);
  const rec: HealthRecord = { ...base, ...h, checkedAt: now };
  const canHeal = heal.enabled && obs.containerId !== undefined && rec.healAttempts < heal.maxRestarts;
  let transition: Decision['transition'];
  let restart = false;

  const healedNote = () =>
    rec.healAttempts ? `greenci restarted it ${rec.healAttempts} time${rec.healAttempts === 1 ? '' : 's'}; it is still down` : undefined;
  if (moved) {
    let alert = false;
    let note: string | undefined;
    if (moved.to === 'down') {
      if (heal.coolingDown) {
        // a restart is coming up: neither alert nor restart again yet
      } else if (canHeal) restart = true;
      else if (moved.alert) (alert = true), (note = healedNote());
    } else if (moved.to === 'healthy') {
      // while flapping too, the recovery of a down people heard had lasted is told
      alert = base.alerted && (moved.alert || downWasTold(base, base.checkedAt, t));
      if (alert && rec.flapping && !moved.flapStarted) note = 'still flapping';
    }
    if (moved.flapStarted)
      (alert = true),
        (note = `flapping: ${rec.recent.length} changes within ${Math.round(t.flapWindowMs / 60_000)} min; alerts paused until it settles`);
    if (alert) rec.alerted = moved.to !== 'healthy';
    transition = { from: moved.from, to: moved.to, detail: moved.detail, alert, note, at: now };
  } else if (!obs.ok && rec.state === 'down' && !rec.alerted && !rec.flapping) {
    // down and nobody told: a restart is coming up, another is allowed, or they are used up
    if (heal.coolingDown) {
      /* wait */
    } else if (canHeal) restart = true;
    else {
      rec.alerted = true;
      transition = {
        from: 'down',
        to: 'down',
        detail: rec.detail,
        alert: true,
        note: healedNote() ?? (base.flapping ? 'flapping has settled; it is down' : 'still down'),
        at: now,
      };
    }
  } else if (downHasLasted(rec, base.checkedAt, now, t)) {
    // flapping, but this down has lasted: an outage, not a blip
    transition = tellLastingDown(rec, now);
  } else if (rec.state === 'healthy' && rec.alerted && !rec.flapping) {
    // flapping settled on healthy: the recovery nobody heard of yet
    rec.alerted = false;
    transition = { from: 'down', to: 'healthy', alert: true, note: 'flapping has settled; it is healthy', at: now };
  }
  if (restart) rec.healAttempts += 1;
  const changed =
    !prev ||
    transition !== undefined ||
    restart ||
    prev.detail !== rec.detail ||
    prev.flapping !== rec.flapping ||
    prev.alerted !== rec.alerted;
  return { next: rec, transition, heal: restart, changed };
}

/** A down that outlasted flapping's damping, told (the record now says people heard of it). */
function tellLastingDown(rec: HealthRecord, now: number): NonNullable<Decision['transition']> {
  rec.alerted = true;
  const healed = rec.healAttempts ? `; greenci restarted it ${rec.healAttempts} time${rec.healAttempts === 1 ? '' : 's'}` : '';
  return {
    from: 'down',
    to: 'down',
    detail: rec.detail,
    alert: true,
    note: `down for ${formatDuration(now - rec.since)} while flapping${healed}; not a blip`,
    at: now,
  };
}
