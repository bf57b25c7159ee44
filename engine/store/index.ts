import path from 'node:path';
import { ConfigError } from '../errors.js';
import { AuditStore } from './audit.js';
import { BuildStore } from './builds.js';
import { openDb, type Db } from './db.js';
import { DeliveryStore } from './deliveries.js';
import { GithubCallStore } from './github-calls.js';
import { HealthStore } from './health.js';
import { HoldStore } from './holds.js';
import { LeaseStore } from './leases.js';
import { OutboxStore } from './outbox.js';
import { PreviewStore } from './previews.js';
import { PullRequestStore } from './pull-requests.js';
import { ReleaseStore } from './releases.js';
import { RetentionStore } from './retention.js';

export interface Store {
  db: Db;
  builds: BuildStore;
  /** What retention reads and removes: build logs by size and age, builds' commits. */
  retention: RetentionStore;
  releases: ReleaseStore;
  audit: AuditStore;
  leases: LeaseStore;
  deliveries: DeliveryStore;
  outbox: OutboxStore;
  /** What greenci tells GitHub, before and after it is sent. */
  github: GithubCallStore;
  /** Pull requests and the builds that test their heads. */
  pullRequests: PullRequestStore;
  /** The live preview environments. */
  previews: PreviewStore;
  health: HealthStore;
  holds: HoldStore;
  close(): void;
}

/**
 * The store's questions, without its writes: what code that records through the Recorder (or
 * only reads) is handed, so a write that others should hear of cannot go around the recorder.
 */
export interface StoreReader {
  builds: Pick<
    BuildStore,
    | 'get'
    | 'list'
    | 'logs'
    | 'claimed'
    | 'lastOfBranch'
    | 'lastSuccessOfBranch'
    | 'branchesSince'
    | 'queuedOfBranch'
    | 'queueDepth'
    | 'queued'
    | 'tested'
  >;
  releases: Pick<
    ReleaseStore,
    | 'liveRelease'
    | 'versions'
    | 'specOf'
    | 'deployments'
    | 'untagged'
    | 'release'
    | 'releases'
    | 'ofBuild'
    | 'ofCommit'
    | 'byVersion'
    | 'testEndpoints'
  >;
  holds: Pick<HoldStore, 'current' | 'get' | 'liftedBy' | 'list'>;
  audit: Pick<AuditStore, 'list'>;
  leases: Pick<LeaseStore, 'holder'>;
  health: Pick<HealthStore, 'all' | 'get' | 'transitions'>;
  deliveries: Pick<DeliveryStore, 'has' | 'get' | 'list' | 'count'>;
  previews: Pick<PreviewStore, 'get' | 'list' | 'all'>;
  pullRequests: Pick<PullRequestStore, 'get' | 'list' | 'openOfCommit'>;
}

/** Opens greenci's state: `<dataDir>/greenci.db`. */
export function openStore(dataDir: string): Store {
  const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, 'greenci.db');
  let db: Db;
  try {
    db = openDb(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      `dataDir: cannot open greenci's database ${file} (${e.code ?? e.message}); check the directory exists and is writable by this user`,
    );
  }
  return {
    db,
    builds: new BuildStore(db),
    retention: new RetentionStore(db),
    releases: new ReleaseStore(db),
    audit: new AuditStore(db),
    leases: new LeaseStore(db),
    deliveries: new DeliveryStore(db),
    outbox: new OutboxStore(db),
    github: new GithubCallStore(db),
    pullRequests: new PullRequestStore(db),
    previews: new PreviewStore(db),
    health: new HealthStore(db),
    holds: new HoldStore(db),
    close: () => db.close(),
  };
}
