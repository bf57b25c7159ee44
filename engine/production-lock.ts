import { AbortError } from './errors.js';
import { KeyedMutex } from './locks.js';
import type { LeaseStore } from './store/leases.js';

/**
 * One production change per project at a time: in this process (a mutex) and across every
 * greenci process on the host (a lease in the SQLite file). Waiters poll until the holder is done
 * or has died, telling the caller who they are waiting for.
 */
export class ProductionLock {
  private readonly local = new KeyedMutex();
  constructor(
    private readonly leases: LeaseStore,
    private readonly pollMs = 250,
  ) {}

  run<T>(project: string, purpose: string, work: () => Promise<T>, onWait?: (message: string) => void, signal?: AbortSignal): Promise<T> {
    return this.local.run(project, async () => {
      const name = `production:${project}`;
      let told = false;
      for (;;) {
        const got = this.leases.tryAcquire(name, purpose);
        if (got.ok) break;
        if (signal?.aborted) throw new AbortError();
        if (!told) onWait?.(`waiting: greenci process ${got.holder.pid} is changing production (${got.holder.purpose})`);
        told = true;
        await new Promise((r) => setTimeout(r, this.pollMs));
      }
      try {
        return await work();
      } finally {
        this.leases.release(name);
      }
    });
  }
}
