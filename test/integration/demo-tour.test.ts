import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTour } from '../../src/commands/demo-tour.js';
import { runCommand } from '../../src/commands/run.js';
import type { Io } from '../../src/io.js';
import { type GreenSetup, setupGreen } from '../helpers/green.js';

/**
 * `greenci demo --tour` as a new user runs it after the demo's first release: four production
 * changes of the sample under load, each summarised from what the clients saw. Real dockerd,
 * HAProxy, git and SQLite; the sample on its own ports so it runs beside other tests.
 */
describe('greenci demo --tour', () => {
  let g: GreenSetup;
  const out: string[] = [];
  const io = (): Io => ({ out: (l) => out.push(l), err: (l) => out.push(l), env: { ...process.env, ...g.env }, cwd: g.dataDir });

  beforeAll(async () => {
    g = await setupGreen({ noEngine: true });
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('releases, rolls back, holds and runs a canary with every request answered, and says so', async () => {
    expect(await runCommand([g.project, '--branch', 'master', '--config', g.configFile], io())).toBe(0);
    out.length = 0;
    const code = await demoTour({ bare: g.origin.bare, configFile: g.configFile, project: g.project, ports: g.ports }, io());
    const text = out.join('\n');
    expect(code, text).toBe(0);

    // each step is there, in order, with its load summary: nothing refused, reset or timed out
    const steps = text.split(/\ntour \d\/4: /).slice(1);
    expect(
      steps.map((s) => s.split(':')[0]),
      text,
    ).toEqual(['a release', 'a rollback', 'a push while production is held', 'a canary']);
    for (const s of steps) expect(s, s).toMatch(/8 keep-alive clients per app: [\d,]+ answers, 0 failed \(refused, reset or timed out\)/);
    // which release answered: v0.1.0 then v0.2.0; back to v0.1.0 by a switch; v0.1.0 alone while
    // held; then the canary v0.3.0 beside v0.1.0 (its share shown), and every request after it
    expect(steps[0]).toMatch(/weight +v0\.1\.0 ×[\d,]+ → v0\.2\.0 ×[\d,]+/);
    expect(steps[1]).toContain('(a switch: its apps were warm)');
    expect(steps[1]).toMatch(/weight +v0\.2\.0 ×[\d,]+ → v0\.1\.0 ×[\d,]+/);
    expect(steps[2]).toContain('not released: production is held');
    expect(steps[2]).toMatch(/weight +v0\.1\.0 ×[\d,]+;/);
    expect(steps[3]).toMatch(/canary promoted/);
    const share = steps[3].match(/weight +v0\.1\.0 ×[\d,]+ → v0\.3\.0 ×[\d,]+; both for [\d.]+ s, v0\.3\.0 ([\d.]+) %/);
    expect(share, steps[3]).not.toBeNull();
    // HAProxy's weights split requests, not time: over thousands of answers 20 % lands near 20 %
    expect(Number(share?.[1])).toBeGreaterThan(10);
    expect(Number(share?.[1])).toBeLessThan(30);
    expect(text).toContain('tour: four production changes, and no request failed');

    // and production is where the tour says: v0.3.0 on both ports
    for (const port of [g.ports.billing, g.ports.weight]) {
      const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { version: string };
      expect(body.version).toBe('v0.3.0');
    }
  }, 400_000);
});
