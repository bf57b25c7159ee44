import path from 'node:path';
import { AuditStore } from './audit.js';
import { BuildStore } from './builds.js';
import { openDb, type Db } from './db.js';
import { LeaseStore } from './leases.js';
import { ReleaseStore } from './releases.js';

export interface Store {
  db: Db;
  builds: BuildStore;
  releases: ReleaseStore;
  audit: AuditStore;
  leases: LeaseStore;
  close(): void;
}

/** Opens greenci's state: `<dataDir>/greenci.db`. */
export function openStore(dataDir: string): Store {
  const db = openDb(dataDir === ':memory:' ? ':memory:' : path.join(dataDir, 'greenci.db'));
  return { db, builds: new BuildStore(db), releases: new ReleaseStore(db), audit: new AuditStore(db), leases: new LeaseStore(db), close: () => db.close() };
}
