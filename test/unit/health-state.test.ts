import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  downHasLasted,
  downWasTold,
  initialHealth,
  lastingDownMs,
  observe,
  type ServiceHealth,
  type Transition,
} from '../../engine/monitor/health-state.js';

/** Runs checks one a second from t=0; returns the transitions. */
function run(
  results: boolean[],
  start: ServiceHealth = initialHealth(0),
  t = DEFAULT_THRESHOLDS,
): { h: ServiceHealth; transitions: Transition[] } {
  let h = start;
  const transitions: Transition[] = [];
  results.forEach((ok, i) => {
    const r = observe(h, ok, ok ? undefined : `check ${i} failed`, i * 1000, t);
    h = r.next;
    if (r.transition) transitions.push(r.transition);
  });
  return { h, transitions };
}

describe('service health', () => {
  it('first sight healthy is recorded but not announced', () => {
    const { h, transitions } = run([true]);
    expect(h.state).toBe('healthy');
    expect(transitions).toEqual([{ from: 'unknown', to: 'healthy', detail: undefined, alert: false }]);
  });

  it('one failure degrades, two in a row is down; two passes in a row recover', () => {
    const { h, transitions } = run([true, false, false, true, true]);
    expect(transitions.map((x) => `${x.from}>${x.to}:${x.alert}`)).toEqual([
      'unknown>healthy:false',
      'healthy>degraded:true',
      'degraded>down:true',
      'down>healthy:true',
    ]);
    expect(transitions[2].detail).toBe('check 2 failed');
    expect(h).toMatchObject({ state: 'healthy', since: 4000, failures: 0, successes: 2 });
  });

  it('a single pass between failures does not recover a down service', () => {
    const { h, transitions } = run([true, false, false, true, false, true]);
    expect(h.state).toBe('down');
    expect(transitions.map((x) => x.to)).toEqual(['healthy', 'degraded', 'down']);
  });

  it('flapping: past the limit one alert says so, then quiet until the window holds no transition', () => {
    const t = { ...DEFAULT_THRESHOLDS, degradedAfter: 1, downAfter: 1, recoverAfter: 1, flapLimit: 3, flapWindowMs: 60_000 };
    const { h, transitions } = run([true, false, true, false, true, false, true, false], initialHealth(0), t);
    const alerts = transitions.filter((x) => x.alert);
    expect(transitions.length).toBe(8);
    // healthy>down, down>healthy, healthy>down announced; the 4th within the window starts flapping: one alert, then none
    expect(alerts.map((x) => `${x.to}${x.flapStarted ? ' (flapping)' : ''}`)).toEqual(['down', 'healthy', 'down (flapping)']);
    expect(h.flapping).toBe(true);
    // a minute without a transition later, the next one is announced again
    const later = observe({ ...h }, true, undefined, 8000 + 61_000, t);
    expect(later.transition).toMatchObject({ from: 'down', to: 'healthy', alert: true });
    expect(later.next.flapping).toBe(false);
  });

  it('a down begun while flapping lasts after flap.window / flap.limit: the first check past that mark is the one that tells it', () => {
    expect(lastingDownMs(DEFAULT_THRESHOLDS)).toBe(150_000);
    const t = { ...DEFAULT_THRESHOLDS, degradedAfter: 1, downAfter: 1, recoverAfter: 1, flapLimit: 3, flapWindowMs: 60_000 };
    // flapping since the 4th change; down at 7 s
    const { h } = run([true, false, true, false, true, false, true, false], initialHealth(0), t);
    expect(h).toMatchObject({ state: 'down', since: 7000, flapping: true });
    const mark = 7000 + 20_000;
    expect([
      downHasLasted(h, mark - 2000, mark - 1000, t),
      downHasLasted(h, mark - 1000, mark, t),
      downHasLasted(h, mark, mark + 1000, t),
    ]).toEqual([false, true, false]);
    expect(downHasLasted(h, 8000, 50_000, t)).toBe(true);
    expect([downWasTold(h, mark - 1, t), downWasTold(h, mark, t)]).toEqual([false, true]);
    // not flapping, or not down: the usual rules say what is told
    expect(downHasLasted({ ...h, flapping: false }, mark - 1000, mark, t)).toBe(false);
    expect(downHasLasted({ ...h, state: 'degraded' }, mark - 1000, mark, t)).toBe(false);
  });
});
