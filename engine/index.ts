import path from 'node:path';
import { DockerClient } from './docker/docker.js';
import { CONTAINER_REF, LABEL } from './docker/names.js';
import { slugRef } from './docker/tags.js';
import type { Engine, EngineOptions, EnqueueRequest } from './api.js';
import { describeError, NotFoundError, UsageError } from './errors.js';
import { EventBus } from './events.js';
import { assertBranchName, RepoCache } from './git/repo.js';
import { HostLocks } from './host-locks.js';
import type { BuildRecord } from './model.js';
import { ContainerWatcher } from './monitor/container-watch.js';
import { Monitor } from './monitor/monitor.js';
import type { BuildContext, EngineDeps } from './pipeline/context.js';
import { planStages, type PlannedStage } from './pipeline/plan.js';
import { rollbackProduction } from './pipeline/rollback.js';
import { runStages } from './pipeline/runner.js';
import { teardownTestFor } from './pipeline/teardown.js';
import { BuildQueue } from './queue/build-queue.js';
import { missedPushes } from './queue/reconcile.js';
import { TagPusher } from './pipeline/tag-push.js';
import { checkProduction, closeInterruptedDeployments, recoverBuilds } from './recovery.js';
import { Recorder } from './recorder.js';
import { runnerMark } from './store/leases.js';
import { randomUUID } from 'node:crypto';
import { emptySnapshot, reduce, type Snapshot } from './state.js';
import { openStore, type Store } from './store/index.js';
import { startMail } from './notify/mail-service.js';

export type { Engine, EngineOptions, EnqueueRequest, RollbackRequest, RollbackResult, RunRequest } from './api.js';
export type { Note } from './recovery.js';

export function createEngine(opts: EngineOptions): Engine {
  let config = opts.config;
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
          token: p.gitTokenEnv ? opts.env[p.gitTokenEnv] : undefined,
          env: opts.env,
          author: { name: config.git.authorName, email: config.git.authorEmail },
        });
        repos.set(project, r);
      }
      return r;
    },
  };

  // deployments left 'running' by a process that died are recorded as interrupted
  closeInterruptedDeployments(store, Object.keys(config.projects));
  const tags = new TagPusher(deps);
  let snapshot = seedSnapshot(store, Object.keys(config.projects));
  bus.subscribe((e) => (snapshot = reduce(snapshot, e)));

  function projectConfig(project: string) {
    const p = config.projects[project];
    if (!p) throw new NotFoundError(`no project ${JSON.stringify(project)} in the config (known: ${Object.keys(config.projects).join(', ')})`);
    return p;
  }

  /** Runs a claimed build's stages (as planned when it was created). */
  function execute(buildId: number, signal: AbortSignal, drain: AbortSignal): Promise<BuildRecord> {
    const b = store.builds.get(buildId)!;
    const p = projectConfig(b.project);
    const planned = b.stages.map((st) => ({ name: st.name as PlannedStage['name'], title: st.title }));
    const requestedBy = b.requestedBy ?? 'unknown';
    const ctx: BuildContext = {
      deps, buildId, project: b.project, projectConfig: p, branch: b.branch, requestedSha: b.requestedSha, requestedBy,
      log: (line, stream = 'stdout') => recorder.log(buildId, undefined, stream, line),
      cleanups: [], images: {},
    };
    return runStages(ctx, planned, signal, drain);
  }

  let monitor: Monitor | undefined;
  const queue = new BuildQueue({ store, recorder, config: () => config, mark: runnerMark(randomUUID()), execute });

  // one container watcher however many faces watch; the last to release it stops it
  let watcher: ContainerWatcher | undefined;
  let watching = 0;
  let generation = 0; // a release from before close() must not stop a later watcher
  const stopWatching = () => {
    void watcher?.stop();
    watcher = undefined;
    watching = 0;
    generation++;
  };

  /** Checks a request and turns it into a new build row's fields. */
  async function newBuild(req: EnqueueRequest) {
    const p = projectConfig(req.project);
    await assertBranchName(req.branch);
    if (req.sha !== undefined && !/^[0-9a-f]{7,40}$/i.test(req.sha)) throw new UsageError(`not a commit sha: ${JSON.stringify(req.sha)}`);
    return {
      project: req.project, branch: req.branch, requestedSha: req.sha, refSlug: slugRef(req.branch), trigger: req.trigger ?? 'manual',
      requestedBy: req.requestedBy ?? 'unknown', stages: planStages(req.branch, p.productionBranch), push: req.push, deliveryId: req.deliveryId,
    };
  }

  return {
    get config() {
      return config;
    },
    getSnapshot: () => snapshot,
    subscribe: (fn) => bus.subscribe(fn),
    publish: (e) => bus.emit(e),

    async run(req, runOpts = {}) {
      const id = queue.createClaimed(await newBuild(req));
      runOpts.onCreated?.(recorder.build(id));
      return queue.runClaimed(id, runOpts.signal);
    },

    async enqueue(req, within) {
      const build = queue.enqueue(await newBuild(req), within);
      if (build.trigger === 'manual') recorder.audit({ actor: build.requestedBy ?? 'unknown', action: 'trigger', project: build.project, target: `${build.branch}${req.sha ? `@${req.sha}` : ''}`, outcome: `queued #${build.id}` });
      return build;
    },
    runQueued: (id, o = {}) => queue.runOne(id, o.signal),
    cancel(id, by) {
      const auditId = recorder.audit({ actor: by, action: 'cancel', project: store.builds.get(id)?.project, target: `#${id}` });
      try {
        const b = queue.cancel(id, by);
        recorder.auditOutcome(auditId, b.status === 'cancelled' ? 'cancelled' : 'cancel requested');
        return b;
      } catch (err) {
        recorder.auditOutcome(auditId, `refused: ${describeError(err)}`);
        throw err;
      }
    },
    async retry(id, by) {
      const b = store.builds.get(id);
      if (!b) throw new NotFoundError(`no build #${id}`);
      if (b.status === 'queued' || b.status === 'running') throw new UsageError(`build #${id} is still ${b.status}`);
      projectConfig(b.project);
      const again = queue.requeue(b, 'retry', by);
      recorder.audit({ actor: by, action: 'retry', project: b.project, target: `#${id}`, outcome: `queued #${again.id}` });
      return again;
    },
    settled: (id) => queue.settled(id),
    async reconcile(project) {
      const p = projectConfig(project);
      const heads = await deps.repo(project).remoteHeads();
      const since = Date.now() - config.reconcile.watchDays * 86_400_000;
      const watched = new Set([p.productionBranch, ...store.builds.branchesSince(project, since)]);
      const states = [...watched].map((branch) => {
        const last = store.builds.lastOfBranch(project, branch);
        return { branch, head: heads.get(branch), lastBuilt: last?.requestedSha ?? last?.sha };
      });
      const queued: BuildRecord[] = [];
      for (const m of missedPushes(states)) {
        queued.push(await this.enqueue({ project, branch: m.branch, sha: m.sha, trigger: 'reconcile', requestedBy: 'greenci (reconciliation)' }));
      }
      return queued;
    },
    async branchDeleted(project, branch, by) {
      projectConfig(project);
      const cancelled = store.builds.queuedOfBranch(project, branch).filter((id) => store.builds.cancelQueued(id, `branch ${branch} was deleted`));
      for (const id of cancelled) recorder.build(id);
      const tornDown = await teardownTestFor(docker, recorder, deps.locks, project, branch, by);
      return { cancelled, tornDown };
    },
    startQueue: () => queue.start(),
    drain: (graceMs, onCancel) => queue.drain(graceMs, onCancel),
    async recover() {
      const notes = await recoverBuilds(recorder, queue, docker, Object.keys(config.projects));
      for (const project of Object.keys(config.projects)) {
        notes.push(...(await checkProduction(recorder, docker, deps.locks, project).catch((err) => [{ level: 'error' as const, project, msg: `checking production failed: ${describeError(err)}` }])));
      }
      notes.push(...(await tags.round(Object.keys(config.projects), 'start')));
      return notes;
    },
    pushTags: () => tags.round(Object.keys(config.projects), 'schedule'),
    setConfig(next) {
      for (const [name, p] of Object.entries(next.projects)) {
        const old = config.projects[name];
        if (!old || old.repo !== p.repo || old.gitTokenEnv !== p.gitTokenEnv) repos.delete(name);
      }
      config = { ...next, dataDir: config.dataDir, docker: config.docker };
      deps.config = config;
      for (const p of Object.keys(config.projects)) if (!snapshot.environments[p]) snapshot = { ...snapshot, ...seedProject(snapshot, store, p) };
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

    watchContainers() {
      if (watching++ === 0) {
        watcher = new ContainerWatcher({ docker, subject: (id) => store.builds.get(id)?.commitSubject, emit: (e) => bus.emit(e) });
        watcher.start();
      }
      const mine = generation;
      let released = false;
      return () => {
        if (released || mine !== generation) return;
        released = true;
        if (--watching === 0) stopWatching();
      };
    },
    async containerLogs(id, o) {
      if (!CONTAINER_REF.test(id)) throw new UsageError(`not a container id or name: ${JSON.stringify(id)}`);
      const info = await docker.inspectContainer(id);
      if (!info) throw new NotFoundError(`no container ${JSON.stringify(id)}`);
      if (!info.Config.Labels?.[LABEL.project]) throw new UsageError(`container ${JSON.stringify(id)} is not managed by greenci (it has no ${LABEL.project} label)`);
      await docker.followContainerLogs(info.Id, o);
    },
    startMonitor(o = {}) {
      if (monitor) throw new UsageError('the monitor is running already');
      const m = new Monitor({ docker, store, config: () => config, snapshot: () => snapshot, emit: (e) => bus.emit(e), webhookUrl: o.webhookUrl, log: o.log, dockerEvents: o.dockerEvents });
      monitor = m;
      m.start();
      return {
        check: (why) => m.check(why),
        reschedule: () => m.schedule(),
        stop: async () => {
          await m.stop();
          if (monitor === m) monitor = undefined;
        },
      };
    },
    async branches(project) {
      const p = projectConfig(project);
      const names = [...(await deps.repo(project).remoteHeads()).keys()].sort();
      return names.includes(p.productionBranch) ? [p.productionBranch, ...names.filter((b) => b !== p.productionBranch)] : names;
    },
    deliveries: {
      has: (id) => store.deliveries.has(id),
      record: (d) => store.deliveries.record(d),
      recordUnattributed: (d) => store.deliveries.recordUnattributed(d),
      list: (limit) => store.deliveries.list(limit),
    },
    healthHistory: (limit) => ({ health: store.health.all(), transitions: store.health.transitions({ limit }) }),
    queueDepth: () => store.builds.queueDepth(),
    startMail: (o) => startMail({ store, config: () => config, subscribe: (fn) => bus.subscribe(fn), env: o.env, on: o.on }),
    close: () => (stopWatching(), void monitor?.stop(), queue.stop(), tags.close(), store.close()),
  };
}

function seedSnapshot(store: Store, projects: string[]): Snapshot {
  let s = emptySnapshot();
  s.builds = store.builds.list({ limit: 100 });
  s.health = Object.fromEntries(store.health.all().map((h) => [h.key, h]));
  for (const p of projects) s = { ...s, ...seedProject(s, store, p) };
  return s;
}

function seedProject(s: Snapshot, store: Store, p: string): Pick<Snapshot, 'environments' | 'live'> {
  const [test] = store.releases.deployments(p, 'test', 1);
  const [production] = store.releases.deployments(p, 'production', 1);
  const live = store.releases.liveRelease(p);
  return { environments: { ...s.environments, [p]: { test, production } }, live: { ...s.live, [p]: live && { version: live.version, releaseId: live.id } } };
}
