import { randomUUID } from 'node:crypto';
import type { Engine, EngineOptions } from './api.js';
import { branchCommands } from './commands/branches.js';
import { buildCommands, executeBuild } from './commands/builds.js';
import type { EngineCore } from './commands/core.js';
import { backupCommands } from './commands/backups.js';
import { productionCommands } from './commands/production.js';
import { pruneCommands } from './commands/prune.js';
import { pullRequestCommands } from './commands/pull-requests.js';
import { repoCaches } from './commands/repos.js';
import { seedProject, seedSnapshot } from './commands/snapshot-seed.js';
import { watchingCommands } from './commands/watching.js';
import { sweepDeadRunners, watchDeadRunners } from './dead-runners.js';
import { DockerClient } from './docker/docker.js';
import { NotFoundError } from './errors.js';
import { EventBus } from './events.js';
import { HostLocks } from './host-locks.js';
import { HostSecrets } from './host-secrets.js';
import { reportsToGithub, startGithub } from './github/github-service.js';
import { githubReporting } from './github/reporting.js';
import { secretValues, startMail } from './notify/mail-service.js';
import type { EngineDeps } from './pipeline/context.js';
import { TagPusher } from './pipeline/tag-push.js';
import { BuildQueue } from './queue/build-queue.js';
import { closeInterruptedDeployments } from './recovery.js';
import { Recorder } from './recorder.js';
import { CanaryControl } from './release/canary-control.js';
import { reduce } from './state.js';
import { openStore } from './store/index.js';
import { runnerMark } from './store/leases.js';

export type {
  Engine,
  EngineOptions,
  EnqueueRequest,
  LiftHoldRequest,
  ReleaseRequest,
  ReleaseResult,
  RollbackRequest,
  RollbackResult,
  RunRequest,
} from './api.js';
export type { Note } from './recovery.js';

/**
 * The engine, wired: the store, Docker, the event bus and the recorder, the queue and the tag
 * pusher, built once; each command lives in engine/commands/ and is handed these parts.
 */
export function createEngine(opts: EngineOptions): Engine {
  let config = opts.config;
  const store = opts.store ?? openStore(config.dataDir);
  const docker = opts.docker ?? new DockerClient(config.docker.socket);
  const bus = new EventBus();
  // the host's secrets: their values reach containers only, and are masked in everything recorded
  const secrets = new HostSecrets(() => config, opts.env);
  const recorder = new Recorder(store, bus, secrets.mask);
  const project = (name: string) => {
    const p = config.projects[name];
    if (!p) throw new NotFoundError(`no project ${JSON.stringify(name)} in the config (known: ${Object.keys(config.projects).join(', ')})`);
    return p;
  };
  const repos = repoCaches({ config: () => config, project, env: opts.env });
  const deps: EngineDeps = {
    config,
    docker,
    recorder,
    locks: new HostLocks(store.leases),
    repo: repos.repo,
    canaries: new CanaryControl(),
    secrets,
  };

  // deployments left 'running' by a process that died are recorded as interrupted
  closeInterruptedDeployments(store, Object.keys(config.projects));
  let snapshot = seedSnapshot(store, Object.keys(config.projects));
  // GitHub's figures as the outbox has them (the process sending may be another)
  if (reportsToGithub(config, opts.env)) snapshot = { ...snapshot, github: githubReporting(store.github) };
  bus.subscribe((e) => (snapshot = reduce(snapshot, e)));

  const core: EngineCore = {
    config: () => config,
    project,
    snapshot: () => snapshot,
    store,
    docker,
    bus,
    recorder,
    deps,
    queue: new BuildQueue({
      store,
      recorder,
      config: () => config,
      mark: runnerMark(randomUUID()),
      execute: (id, signal, drain) => executeBuild(core, id, signal, drain),
    }),
    tags: new TagPusher(deps),
    standIn: opts.standIn === true,
  };
  const builds = buildCommands(core);
  const production = productionCommands(core);
  let retiring: NodeJS.Timeout | undefined;
  const watching = watchingCommands(core);
  const { stop: stopWatching, ...watchers } = watching;
  const { stop: stopPruning, ...pruning } = pruneCommands(core);
  const { sweepLeftovers, ...backups } = backupCommands(core);

  return {
    get config() {
      return config;
    },
    getSnapshot: () => snapshot,
    subscribe: (fn) => bus.subscribe(fn),
    publish: (e) => bus.emit(e),
    ...builds,
    ...branchCommands(core, builds.enqueue),
    ...pullRequestCommands(core, builds.enqueue),
    ...production,
    // a backup a killed greenci left half-written goes first, before production is checked
    recover: async () => [...(await sweepLeftovers()), ...(await production.recover())],
    ...backups,
    ...watchers,
    ...pruning,
    startQueue: () => {
      core.queue.start();
      // warm releases past their keep_warm time are retired by whoever runs the queue
      retiring ??= setInterval(() => void production.retireWarm(), 30_000);
      retiring.unref();
    },
    watchDeadRunners: (o) => watchDeadRunners((signal) => sweepDeadRunners(core, signal), o),
    drain: (graceMs, onCancel) => core.queue.drain(graceMs, onCancel),
    setConfig(next) {
      repos.forget(next, config);
      config = { ...next, dataDir: config.dataDir, docker: config.docker };
      deps.config = config;
      // the secrets files are read again: the next deploy takes changed values
      secrets.reload();
      for (const p of Object.keys(config.projects))
        if (!snapshot.environments[p]) snapshot = { ...snapshot, ...seedProject(snapshot, store, p) };
    },
    deliveries: {
      has: (id) => store.deliveries.has(id),
      record: (d) => store.deliveries.record(d),
      recordUnattributed: (d) => store.deliveries.recordUnattributed(d),
      list: (limit) => store.deliveries.list(limit),
    },
    startMail: (o) =>
      startMail({
        store,
        config: () => config,
        subscribe: (fn) => bus.subscribe(fn),
        env: o.env,
        on: o.on,
        hostSecrets: () => secrets.values(),
      }),
    startGithub: (o) =>
      startGithub({
        store,
        config: () => config,
        subscribe: (fn) => bus.subscribe(fn),
        publish: (e) => bus.emit(e),
        env: o.env,
        on: o.on,
        secrets: () => [...secretValues(config, o.env), ...secrets.values()],
      }),
    close: () => (clearInterval(retiring), stopWatching(), stopPruning(), core.queue.stop(), core.tags.close(), store.close()),
  };
}
