import { describe, expect, it } from 'vitest';
import type { HealthRecord, HealthTransitionRecord } from '../../engine/model.js';
import type { Observation } from '../../engine/monitor/checks.js';
import { decide, type HealPolicy } from '../../engine/monitor/decide.js';
import { DEFAULT_THRESHOLDS } from '../../engine/monitor/health-state.js';
import { alertVerb, healthAlertMail } from '../../engine/notify/alert-mail.js';

const NO_HEAL: HealPolicy = { enabled: false, maxRestarts: 3, coolingDown: false };
const obs = (ok: boolean | undefined, detail = ok === false ? 'exited (code 137)' : undefined): Observation => ({
  key: 'green/production/billing',
  kind: 'app',
  project: 'green',
  env: 'production',
  service: 'billing',
  title: 'green prod billing',
  ok,
  detail,
  containerId: 'c1',
});

/** Checks one a second; each step may change the heal policy. Returns what ops would hear, in order. */
function run(results: (boolean | undefined)[], heal: (i: number, h?: HealthRecord) => HealPolicy = () => NO_HEAL, t = DEFAULT_THRESHOLDS) {
  let h: HealthRecord | undefined;
  const heard: string[] = [];
  const restarts: number[] = [];
  results.forEach((ok, i) => {
    const d = decide(h, obs(ok), i * 1000, t, heal(i, h));
    h = d.next;
    if (d.heal) restarts.push(i);
    if (d.transition?.alert) heard.push(`${d.transition.to}${d.transition.note ? ` (${d.transition.note})` : ''}`);
  });
  return { h: h!, heard, restarts };
}

describe('monitor: what ops hear of a service', () => {
  it('hear of down and of the recovery after it; degraded and first sight only show', () => {
    const { heard, h } = run([true, false, false, false, true, true, true]);
    expect(heard).toEqual(['down', 'healthy']);
    expect(h).toMatchObject({ state: 'healthy', alerted: false });
  });

  it('a blip (one failure) is never an email', () => {
    expect(run([true, false, true, true, false, true]).heard).toEqual([]);
  });

  it('no verdict (a container starting) leaves the state where it is', () => {
    const { h, heard } = run([true, false, undefined, undefined, false]);
    expect(heard).toEqual(['down']);
    expect(h.failures).toBe(2);
  });

  it('flapping: one alert says so, then quiet; when it settles, the outcome is told once', () => {
    const t = { ...DEFAULT_THRESHOLDS, recoverAfter: 1, downAfter: 1, flapLimit: 4, flapWindowMs: 10_000 };
    // down/up eight times in 16 s, then healthy for 12 s (the window empties)
    const flaps = Array.from({ length: 16 }, (_, i) => i % 2 === 1);
    const { heard, h } = run([true, ...flaps, ...Array(12).fill(true)], () => NO_HEAL, t);
    expect(heard.filter((x) => x.includes('flapping'))).toHaveLength(1);
    expect(heard.length).toBeLessThanOrEqual(6);
    expect(heard.at(-1)).toMatch(/^healthy/);
    expect(h.alerted).toBe(false);
  });

  it('flapping merges blips, never an outage: a down that lasts is told once, and its recovery as usual', () => {
    // flapping is more than 4 changes a minute: a down held 15 s (60 s / 4) is no blip
    const t = { ...DEFAULT_THRESHOLDS, recoverAfter: 1, downAfter: 1, flapLimit: 4, flapWindowMs: 60_000 };
    // flapping begins on a down (people heard "flapping" of it), recovers unheard, then goes down at 6 s for 20 s
    const { heard, h } = run(
      [false, true, false, true, false, true, ...Array(20).fill(false), true, false, true, ...Array(70).fill(true)],
      () => NO_HEAL,
      t,
    );
    expect(heard).toEqual([
      'down',
      'healthy',
      'down',
      'healthy',
      'down (flapping: 5 changes within 1 min; alerts paused until it settles)',
      // told at 21 s, once, though it stays down till 26 s; the blip at 27 s is not told, nor is settling on healthy
      'down (down for 15.0s while flapping; not a blip)',
      'healthy (still flapping)',
    ]);
    expect(h).toMatchObject({ state: 'healthy', alerted: false, flapping: false });
    // the same when flapping began on a recovery (nothing was pending)
    const fromHealthy = run([true, false, true, false, true, ...Array(20).fill(false), true], () => NO_HEAL, t);
    expect(fromHealthy.heard.slice(-3)).toEqual([
      'healthy (flapping: 5 changes within 1 min; alerts paused until it settles)',
      'down (down for 15.0s while flapping; not a blip)',
      'healthy (still flapping)',
    ]);
  });

  it('a lasting down is told even when the check past the mark has no verdict, or comes after a gap (a daemon restart)', () => {
    const t = { ...DEFAULT_THRESHOLDS, recoverAfter: 1, downAfter: 1, flapLimit: 4, flapWindowMs: 60_000 };
    // flapping from 4 s, down from 7 s
    const flapping = [true, false, true, false, true, false, true, false];
    // the checks from 20 s to 25 s see a container starting (no verdict)
    const starting = run([...flapping, ...Array(12).fill(false), ...Array(6).fill(undefined), false, false], () => NO_HEAL, t);
    expect(starting.heard.slice(-1)).toEqual(['down (down for 15.0s while flapping; not a blip)']);
    expect(starting.h).toMatchObject({ state: 'down', alerted: true });
    // no check from 9 s until `resumed`: the first check after tells it, once
    const afterGap = (resumed: number) => {
      let h: HealthRecord | undefined;
      const told: string[] = [];
      const at = [...flapping.map((_, i) => i * 1000), 8000, resumed, resumed + 1000, resumed + 2000];
      [...flapping, false, false, false, false].forEach((ok, i) => {
        const d = decide(h, obs(ok), at[i], t, NO_HEAL);
        h = d.next;
        if (i >= flapping.length && d.transition?.alert) told.push(`${at[i]} ${d.transition.note}`);
      });
      return told;
    };
    expect(afterGap(40_000)).toEqual(['40000 down for 33.0s while flapping; not a blip']);
    // past the whole window the flapping has settled: told as such
    expect(afterGap(100_000)).toEqual(['100000 flapping has settled; it is down']);
  });

  it('self-healing restarts a down container before anyone hears; only when it stays down is the alert sent, saying so', () => {
    const heal = (): HealPolicy => ({ enabled: true, maxRestarts: 2, coolingDown: false });
    const { heard, restarts, h } = run([true, false, false, false, false, false], heal);
    expect(restarts).toEqual([2, 3]);
    expect(heard).toEqual(['down (greenci restarted it 2 times; it is still down)']);
    expect(h).toMatchObject({ state: 'down', alerted: true, healAttempts: 2 });
  });

  it('a restart that works: nobody is told; the restart budget is whole again only after a whole flap window healthy', () => {
    const heal = (): HealPolicy => ({ enabled: true, maxRestarts: 3, coolingDown: false });
    const t = { ...DEFAULT_THRESHOLDS, flapWindowMs: 10_000, flapLimit: 100 };
    const { heard, restarts, h } = run([true, false, false, true, true], heal, t);
    expect(restarts).toEqual([2]);
    expect(heard).toEqual([]);
    expect(h).toMatchObject({ state: 'healthy', healAttempts: 1 });
    expect(run([true, false, false, true, true, ...Array(12).fill(true)], heal, t).h.healAttempts).toBe(0);
  });

  it('a crash loop slower than the checks still runs out of restarts and is alerted', () => {
    const heal = (): HealPolicy => ({ enabled: true, maxRestarts: 2, coolingDown: false });
    // crashes, is restarted, is healthy a few checks, crashes again: within one flap window
    const cycle = [false, false, true, true, true];
    const { heard, restarts } = run([true, ...cycle, ...cycle, ...cycle], heal, {
      ...DEFAULT_THRESHOLDS,
      flapLimit: 100,
      flapWindowMs: 60_000,
    });
    expect(restarts).toHaveLength(2);
    expect(heard).toEqual(['down (greenci restarted it 2 times; it is still down)', 'healthy']);
  });

  it('after a new deployment, failures seen before it do not count', () => {
    let h: HealthRecord | undefined;
    h = decide(h, obs(true), 0, DEFAULT_THRESHOLDS, NO_HEAL).next;
    h = decide(h, obs(false), 1000, DEFAULT_THRESHOLDS, NO_HEAL).next;
    expect(h.state).toBe('degraded');
    const d = decide(h, { ...obs(false), fresh: true }, 2000, DEFAULT_THRESHOLDS, NO_HEAL);
    expect(d.next).toMatchObject({ state: 'degraded', failures: 1 });
    expect(d.transition).toBeUndefined();
  });

  it('while a restart is coming up, no second restart and no alert', () => {
    const heal = (i: number): HealPolicy => ({ enabled: true, maxRestarts: 3, coolingDown: i >= 3 && i <= 5 });
    const { restarts, heard } = run([true, false, false, false, false, false, false], heal);
    expect(restarts).toEqual([2, 6]);
    expect(heard).toEqual([]);
  });
});

describe('monitor: the ops email', () => {
  const alert = (id: number, title: string, to: HealthTransitionRecord['to'], detail?: string, note?: string): HealthTransitionRecord => ({
    id,
    key: title,
    title,
    from: to === 'healthy' ? 'down' : 'degraded',
    to,
    detail,
    alert: true,
    note,
    at: Date.UTC(2026, 10, 22, 9, 30, id),
  });

  it('one alert: a subject to scan, the why in the body, plain text and HTML', () => {
    const m = healthAlertMail([alert(7, 'green prod billing', 'down', 'exited (code 137)')], ['ops@example.com'], { host: 'ci-1' })!;
    expect(m.subject).toBe('✖ green prod billing down');
    expect(m.to).toEqual(['ops@example.com']);
    expect(m.text).toMatch(/^green prod billing: down at 2026-11-22 09:30:07 UTC: exited \(code 137\)$/m);
    expect(m.text).toMatch(/^host:\s+ci-1$/m);
    expect(m.html).toContain('exited (code 137)');
    expect(m.dedupeKey).toBe('health:7-7');
    const withOutput = healthAlertMail(
      [{ ...alert(8, 'green prod weight', 'down', 'exited (code 1)'), output: ['weight listening on 8080', 'Error: <db> unreachable'] }],
      ['ops@example.com'],
    )!;
    expect(withOutput.text).toContain('last output of green prod weight:\n    weight listening on 8080\n    Error: <db> unreachable');
    expect(withOutput.html).toContain('Error: &lt;db&gt; unreachable');
  });

  it('a round with several: one email naming them all, down first', () => {
    const m = healthAlertMail(
      [
        alert(3, 'greenci docker engine', 'healthy'),
        alert(4, 'green prod billing', 'down', 'x'),
        alert(5, 'green prod weight', 'down', 'y'),
      ],
      ['ops@example.com'],
    )!;
    expect(m.subject).toBe('✖ green prod billing, green prod weight down; greenci docker engine recovered');
    const many = Array.from({ length: 12 }, (_, i) => alert(10 + i, `green-project-${i} prod billing`, 'down', 'gone'));
    const long = healthAlertMail(many, ['ops@example.com'])!;
    expect(long.subject.length).toBeLessThanOrEqual(110);
    expect(long.subject).toMatch(/^✖ 12 down: /);
    expect(long.text.match(/:\s+down at/g)).toHaveLength(12);
  });

  it('flapping and recovered read as such; nobody to tell gives no email', () => {
    expect(alertVerb(alert(1, 'a', 'down', 'x', 'flapping: 5 changes within 10 min; alerts paused until it settles'))).toBe('flapping');
    expect(healthAlertMail([alert(1, 'green test weight', 'healthy')], ['o@example.com'])!.subject).toBe('✔ green test weight recovered');
    expect(healthAlertMail([alert(1, 'a', 'down')], [])).toBeUndefined();
  });
});
