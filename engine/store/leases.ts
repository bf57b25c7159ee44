import os from 'node:os';
import type { Db } from './db.js';

export interface Lease {
  name: string;
  pid: number;
  host: string;
  purpose: string;
  acquiredAt: number;
}

/** True if a process with this pid is alive on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Named leases shared by every greenci process on the host through the SQLite file: two
 * operators' commands never change one project's production at the same time. A lease held by
 * a process that died is taken over.
 */
export class LeaseStore {
  constructor(private readonly db: Db) {}

  /** Takes the lease, or returns who holds it. */
  tryAcquire(name: string, purpose: string, now = Date.now()): { ok: true } | { ok: false; holder: Lease } {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT name, pid, host, purpose, acquired_at AS acquiredAt FROM leases WHERE name = ?').get(name) as Lease | undefined;
      const mine = row && row.pid === process.pid && row.host === os.hostname();
      if (row && !mine && !(row.host === os.hostname() && !alive(row.pid))) return { ok: false as const, holder: row };
      this.db.prepare('INSERT OR REPLACE INTO leases (name, pid, host, purpose, acquired_at) VALUES (?, ?, ?, ?, ?)').run(name, process.pid, os.hostname(), purpose, now);
      return { ok: true as const };
    }).immediate();
  }

  release(name: string): void {
    this.db.prepare('DELETE FROM leases WHERE name = ? AND pid = ? AND host = ?').run(name, process.pid, os.hostname());
  }
}
