import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../config/project-spec.js';
import { startOrder } from '../../config/start-order.js';
import { startInDependencyOrder } from '../../engine/pipeline/deploy.js';

const svc = (name: string, dependsOn: string[] = []): ServiceSpec => ({ name, kind: 'service', env: {}, dependsOn });
const green = [svc('weight-db'), svc('weight', ['weight-db']), svc('billing-db'), svc('billing', ['billing-db', 'weight'])];

describe('start order', () => {
  it('puts everything after what it depends on, keeping file order otherwise', () => {
    const r = startOrder([svc('billing', ['billing-db', 'weight']), svc('weight', ['weight-db']), svc('billing-db'), svc('weight-db')]);
    expect('order' in r && r.order.map((s) => s.name)).toEqual(['billing-db', 'weight-db', 'weight', 'billing']);
    expect(startOrder([svc('a', ['b']), svc('b', ['c']), svc('c', ['a'])])).toEqual({ cycle: ['a', 'b', 'c', 'a'] });
  });

  it('starts independent services side by side and each only after its dependencies are up', async () => {
    const events: string[] = [];
    const gates = new Map<string, () => void>();
    const done = startInDependencyOrder(green, (s) => {
      events.push(`start ${s.name}`);
      return new Promise<void>((resolve) => gates.set(s.name, () => (events.push(`up ${s.name}`), resolve())));
    });
    const tick = () => new Promise((r) => setImmediate(r));
    await tick();
    expect(events).toEqual(['start weight-db', 'start billing-db']);
    gates.get('billing-db')!();
    await tick();
    expect(events).toEqual(['start weight-db', 'start billing-db', 'up billing-db']);
    gates.get('weight-db')!();
    await tick();
    expect(events.at(-1)).toBe('start weight');
    gates.get('weight')!();
    await tick();
    expect(events.at(-1)).toBe('start billing');
    gates.get('billing')!();
    await done;
  });

  it('never starts a service whose dependency failed, lets the others settle, and throws the failure', async () => {
    const started: string[] = [];
    const attempt = startInDependencyOrder(green, async (s) => {
      started.push(s.name);
      if (s.name === 'weight-db') throw new Error('weight-db is unhealthy');
      await new Promise((r) => setTimeout(r, 20));
    });
    await expect(attempt).rejects.toThrow('weight-db is unhealthy');
    expect(started.sort()).toEqual(['billing-db', 'weight-db']);
  });
});
