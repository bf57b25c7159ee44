import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProductionLock } from '../../engine/production-lock.js';
import { openStore } from '../../engine/store/index.js';
import { tempDir } from '../helpers/origin.js';

const STORE = path.resolve(import.meta.dirname, '..', '..', 'engine', 'store', 'index.ts');

describe('the production lock across greenci processes', () => {
  const dir = tempDir('greenci-lease-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('waits while another live process changes production, and takes over from one that died', async () => {
    // another greenci process takes the lease and keeps it
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { openStore } from ${JSON.stringify(STORE)};
      const s = openStore(${JSON.stringify(dir)}); const r = s.leases.tryAcquire('production:green', 'build #7 deploying v0.2.0');
      console.log(r.ok ? 'held' : 'refused'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(import.meta.dirname, '..', '..') });
    await new Promise<void>((resolve) => holder.stdout!.on('data', (c) => String(c).includes('held') && resolve()));

    const store = openStore(dir);
    const lock = new ProductionLock(store.leases, 50);
    const waits: string[] = [];
    let ran = false;
    const attempt = lock.run('green', 'rollback by bob', async () => (ran = true), (m) => waits.push(m));
    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toBe(false);
    expect(waits).toEqual([`waiting: greenci process ${holder.pid} is changing production (build #7 deploying v0.2.0)`]);

    holder.kill('SIGKILL');
    await attempt;
    expect(ran).toBe(true);
    expect(store.leases.tryAcquire('production:green', 'next').ok).toBe(true);
    store.close();
  });

  it('one process runs its own production changes one after another', async () => {
    const store = openStore(dir);
    const lock = new ProductionLock(store.leases, 10);
    const order: string[] = [];
    const job = (name: string) => lock.run('blue', name, async () => {
      order.push(`${name} start`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`${name} end`);
    });
    await Promise.all([job('a'), job('b')]);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
    store.close();
  });
});
