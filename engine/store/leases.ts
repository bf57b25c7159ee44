import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Db } from './db.js';

export interface Lease {
  name: string;
  token: string;
  pid: number;
  host: string;
  purpose: string;
  acquiredAt: number;
}

/** This machine and this boot: a pid from before a reboot means nothing now. */
const MACHINE = os.hostname();
const BOOT = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
})();
const HOST = `${MACHINE} ${BOOT}`;

/** A lease whose holder is certainly gone: on this machine, from an earlier boot or a dead pid. */
function gone(row: Lease): boolean {
  const [machine, boot] = row.host.split(' ');
  return machine === MACHINE && (boot !== BOOT || !alive(row.pid));
}

/** Names the process (and engine instance) running a build: `pid machine boot token`. */
export function runnerMark(token: string): string {
  return `${process.pid} ${HOST} ${token}`;
}

/** True when the process a runner mark names is certainly gone (dead pid, or an earlier boot of this machine). */
export function runnerGone(mark: string): boolean {
  const [pid, machine, boot] = mark.split(' ');
  return gone({ pid: Number(pid), host: `${machine} ${boot}` } as Lease);
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
 * Named leases shared by every greenci process on the host through the SQLite file. A holder is
 * one lock instance (a token), not a process, so two engines in one process exclude each other
 * too. A lease whose process died (or whose machine rebooted since) is taken over.
 */
export class LeaseStore {
  constructor(private readonly db: Db) {}

  /** Takes the lease for `token`, or returns who holds it. */
  tryAcquire(name: string, token: string, purpose: string, now = Date.now()): { ok: true } | { ok: false; holder: Lease } {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare('SELECT name, token, pid, host, purpose, acquired_at AS acquiredAt FROM leases WHERE name = ?')
          .get(name) as Lease | undefined;
        if (row && row.token !== token && !gone(row)) return { ok: false as const, holder: row };
        this.db
          .prepare('INSERT OR REPLACE INTO leases (name, token, pid, host, purpose, acquired_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(name, token, process.pid, HOST, purpose, now);
        return { ok: true as const };
      })
      .immediate();
  }

  release(name: string, token: string): void {
    this.db.prepare('DELETE FROM leases WHERE name = ? AND token = ?').run(name, token);
  }

  /** Who holds a lease now (a dead holder counts as nobody). */
  holder(name: string): Lease | undefined {
    const row = this.db.prepare('SELECT name, token, pid, host, purpose, acquired_at AS acquiredAt FROM leases WHERE name = ?').get(name) as
      | Lease
      | undefined;
    return row && !gone(row) ? row : undefined;
  }
}
