import path from 'node:path';
import type { GreenciConfig } from '../config/schema.js';
import { DockerClient } from './docker/docker.js';
import { slugRef } from './docker/tags.js';
import { UsageError } from './errors.js';
import { EventBus, type Listener } from './events.js';
import { assertBranchName, RepoCache } from './git/repo.js';
import { HostLocks } from './host-locks.js';
import type { BuildRecord, LogLine, ReleaseRecord } from './model.js';
import type { BuildContext, EngineDeps } from './pipeline/context.js';
import { planStages } from './pipeline/plan.js';
import { rollbackProduction } from './pipeline/rollback.js';
import { runStages } from './pipeline/runner.js';
import { Recorder } from './recorder.js';
import { emptySnapshot, reduce, type Snapshot } from './state.js';
import { openStore, type Store } from './store/index.js';

export interface RunRequest {
  project: string;
  branch: string;
  sha?: string;
  /** What started it: `manual`, `push`, ... */
  trigger?: string;
  requestedBy?: string;
}

export interface RollbackRequest {
  project: string;
  /** A version (`v0.1.0`); default: the release before the live one. */
  to?: string;
  requestedBy: string;
  /** Progress lines: waiting for another process, each service coming up. */
  log?: (line: string) => void;
}

export interface RollbackResult {
  from?: ReleaseRecord;
  to: ReleaseRecord;
}

/** The headless core. No React, no printing: faces read the snapshot and listen to events. */
export interface Engine {
  getSnapshot(): Snapshot;
  subscribe(fn: Listener): () => void;
  /** Runs one pipeline now; resolves with the finished build (a failed build resolves too). */
  run(req: RunRequest, opts?: { signal?: AbortSignal; onCreated?: (build: BuildRecord) => void }): Promise<BuildRecord>;
  rollback(req: RollbackRequest): Promise<RollbackResult>;
  releases(project: string): { releases: ReleaseRecord[]; live?: ReleaseRecord };
  builds(opts?: { project?: string; limit?: number }): BuildRecord[];
  build(id: number): BuildRecord | undefined;
  logs(buildId: number, afterId?: number): LogLine[];
  readonly store: Store;
  close(): void;
}

export interface EngineOptions {
  config: GreenciConfig;
  docker?: DockerClient;
  store?: Store;
}

export function createEngine(opts: EngineOptions): Engine {
  const { config } = opts;
  const store = opts.store ?? openStore(config.dataDir);
  const docker = opts.docker ?? new DockerClient(config.docker.socket);
  const bus = new EventBus();
  const recorder = new Recorder(store, bus);
  const repos = new Map<string, RepoCache>();
  const deps: EngineDeps = {
    config,
    docker,
    recorder,
    locks: new HostLocks(store.leases),
    repo(project) {
      let r = repos.get(project);
      if (!r) {
        const p = projectConfig(project);
        r = new RepoCache({
          cacheDir: path.join(config.dataDir, 'repos', `${project}.git`),
          remote: p.repo,
          token: p.gitTokenEnv ? process.env[p.gitTokenEnv] : undefined,
          author: { name: config.git.authorName, email: config.git.authorEmail },
        });
        repos.set(project, r);
      }
      return r;
    },
  };

  // a production deployment left 'running' by a process that died is recorded as interrupted
  for (const project of Object.keys(config.projects)) {
    if (store.leases.holder(`production:${project}`)) continue;
    const n = store.releases.failInterrupted(project);
    if (n) store.audit.record({ actor: 'greenci', action: 'recover', project, outcome: `${n} interrupted production deployment${n > 1 ? 's' : ''} marked failed` });
  }
  let snapshot = seedSnapshot(store, Object.keys(config.projects));
  bus.subscribe((e) => (snapshot = reduce(snapshot, e)));

  function projectConfig(project: string) {
    const p = config.projects[project];
    if (!p) throw new UsageError(`no project ${JSON.stringify(project)} in the config (known: ${Object.keys(config.projects).join(', ')})`);
    return p;
  }

  return {
    store,
    getSnapshot: () => snapshot,
    subscribe: (fn) => bus.subscribe(fn),

    async run(req, runOpts = {}) {
      const p = projectConfig(req.project);
      await assertBranchName(req.branch);
      if (req.sha !== undefined && !/^[0-9a-f]{7,40}$/i.test(req.sha)) throw new UsageError(`not a commit sha: ${JSON.stringify(req.sha)}`);
      const planned = planStages(req.branch, p.productionBranch);
      const requestedBy = req.requestedBy ?? 'unknown';
      const buildId = store.builds.create({ project: req.project, branch: req.branch, requestedSha: req.sha, refSlug: slugRef(req.branch), trigger: req.trigger ?? 'manual', requestedBy, stages: planned });
      runOpts.onCreated?.(recorder.build(buildId));
      const ctx: BuildContext = {
        deps, buildId, project: req.project, projectConfig: p, branch: req.branch, requestedSha: req.sha, requestedBy,
        log: (line, stream = 'stdout') => recorder.log(buildId, undefined, stream, line),
        cleanups: [], images: {}, held: new Map(),
      };
      return runStages(ctx, planned, runOpts.signal ?? new AbortController().signal);
    },

    rollback(req) {
      projectConfig(req.project);
      return deps.locks.run(`production:${req.project}`, `rollback by ${req.requestedBy}`, () => rollbackProduction(docker, recorder, req), { onWait: req.log });
    },

    releases(project) {
      projectConfig(project);
      return { releases: store.releases.releases(project), live: store.releases.liveRelease(project) };
    },
    builds: (o) => store.builds.list(o),
    build: (id) => store.builds.get(id),
    logs: (id, after) => store.builds.logs(id, after),
    close: () => store.close(),
  };
}

function seedSnapshot(store: Store, projects: string[]): Snapshot {
  const s = emptySnapshot();
  s.builds = store.builds.list({ limit: 100 });
  for (const p of projects) {
    const [test] = store.releases.deployments(p, 'test', 1);
    const [production] = store.releases.deployments(p, 'production', 1);
    s.environments[p] = { test, production };
    const live = store.releases.liveRelease(p);
    s.live[p] = live && { version: live.version, releaseId: live.id };
  }
  return s;
}
