import { randomUUID } from 'node:crypto';
import { AbortError, throwIfAborted } from './errors.js';
import type { LeaseStore } from './store/leases.js';
import { sleep } from './time.js';

export interface AcquireOptions {
  /** Told once, when the lock is busy: who holds it. */
  onWait?: (message: string) => void;
  /** Waiting may be cancelled; holding may not. */
  signal?: AbortSignal;
}

/**
 * Named locks held one at a time across this process (a queue) and every greenci process on
 * the host (a lease in the SQLite file): `repo:<project>`, `test:<project>`,
 * `production:<project>`. Waiters say who they wait for; a lease whose process died is taken over.
 */
export class HostLocks {
  private readonly token = randomUUID();
  private readonly tails = new Map<string, Promise<void>>();
  /** Purpose of the last in-process waiter or holder per lock: who a newcomer waits behind. */
  private readonly queued = new Map<string, string>();

  constructor(
    private readonly leases: LeaseStore,
    private readonly pollMs = 250,
  ) {}

  /** Waits for the lock and returns the function that releases it (safe to call twice). */
  async acquire(name: string, purpose: string, opts: AcquireOptions = {}): Promise<() => void> {
    const ahead = this.tails.has(name) ? this.queued.get(name) : undefined;
    const previous = this.tails.get(name) ?? Promise.resolve();
    this.queued.set(name, purpose);
    let releaseLocal!: () => void;
    const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    const leaveQueue = () => {
      releaseLocal();
      if (this.tails.get(name) === tail) this.tails.delete(name), this.queued.delete(name);
    };
    try {
      let told = false;
      const tell = (who: string) => told || (opts.onWait?.(`waiting: ${who} is using ${name}`), (told = true));
      if (ahead) tell(ahead);
      await untilDone(previous, opts.signal);
      for (;;) {
        const got = this.leases.tryAcquire(name, this.token, purpose);
        if (got.ok) break;
        tell(`greenci process ${got.holder.pid} (${got.holder.purpose})`);
        await sleep(this.pollMs, opts.signal);
      }
    } catch (err) {
      leaveQueue();
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leases.release(name, this.token);
      leaveQueue();
    };
  }

  /**
   * The lock now, or who has it: never waits. Busy while anyone in this process holds or waits
   * for it, or another greenci process holds its lease. For work that may as well be skipped
   * (a scheduled backup) rather than wait behind a production change.
   */
  tryAcquire(name: string, purpose: string): { release: () => void } | { busy: string } {
    if (this.tails.has(name)) return { busy: this.queued.get(name) ?? 'this greenci process' };
    const got = this.leases.tryAcquire(name, this.token, purpose);
    if (!got.ok) return { busy: `greenci process ${got.holder.pid} (${got.holder.purpose})` };
    let releaseLocal!: () => void;
    const tail = new Promise<void>((resolve) => (releaseLocal = resolve));
    this.tails.set(name, tail);
    this.queued.set(name, purpose);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.leases.release(name, this.token);
        releaseLocal();
        if (this.tails.get(name) === tail) this.tails.delete(name), this.queued.delete(name);
      },
    };
  }

  async run<T>(name: string, purpose: string, work: () => Promise<T>, opts: AcquireOptions = {}): Promise<T> {
    const release = await this.acquire(name, purpose, opts);
    try {
      return await work();
    } finally {
      release();
    }
  }
}

function untilDone(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => (signal.removeEventListener('abort', onAbort), resolve()));
  });
}
