import { slugRef } from '../docker/tags.js';
import type { Engine, EnqueueRequest } from '../api.js';
import { describeError, NotFoundError, UsageError } from '../errors.js';
import { assertBranchName } from '../git/repo.js';
import type { BuildRecord } from '../model.js';
import type { BuildContext } from '../pipeline/context.js';
import { planStages, type PlannedStage } from '../pipeline/plan.js';
import { runStages } from '../pipeline/runner.js';
import type { NewBuild } from '../store/builds.js';
import type { EngineCore } from './core.js';

/** Checks a request and turns it into a new build row's fields (its stages planned now). */
export async function newBuild(core: Pick<EngineCore, 'project'>, req: EnqueueRequest): Promise<Omit<NewBuild, 'runner'>> {
  const p = core.project(req.project);
  await assertBranchName(req.branch);
  if (req.sha !== undefined && !/^[0-9a-f]{7,40}$/i.test(req.sha)) throw new UsageError(`not a commit sha: ${JSON.stringify(req.sha)}`);
  return {
    project: req.project,
    branch: req.branch,
    requestedSha: req.sha,
    refSlug: slugRef(req.branch),
    trigger: req.trigger ?? 'manual',
    requestedBy: req.requestedBy ?? 'unknown',
    stages: planStages(req.branch, p.productionBranch),
    push: req.push,
    deliveryId: req.deliveryId,
  };
}

/** Runs a claimed build's stages (as planned when it was created): what the queue calls. */
export function executeBuild(
  core: Pick<EngineCore, 'store' | 'deps' | 'recorder' | 'project' | 'standIn'>,
  buildId: number,
  signal: AbortSignal,
  drain: AbortSignal,
): Promise<BuildRecord> {
  const b = core.store.builds.get(buildId)!;
  const planned = b.stages.map((st) => ({ name: st.name as PlannedStage['name'], title: st.title }));
  const ctx: BuildContext = {
    deps: core.deps,
    buildId,
    project: b.project,
    projectConfig: core.project(b.project),
    branch: b.branch,
    requestedSha: b.requestedSha,
    requestedBy: b.requestedBy ?? 'unknown',
    trigger: b.trigger,
    standIn: core.standIn,
    log: (line, stream = 'stdout') => core.recorder.log(buildId, undefined, stream, line),
    cleanups: [],
    images: {},
  };
  // a build that does not build (`greenci release`) promotes what an earlier build tested
  const tested = planned.some((st) => st.name === 'build') ? undefined : core.store.builds.tested(buildId);
  if (tested) Object.assign(ctx, { commit: tested.commit, spec: tested.spec, images: { ...tested.images } });
  return runStages(ctx, planned, signal, drain);
}

/** Builds: run now, queue, cancel, retry, and what is recorded of them. Each operator action lands in the audit trail. */
export function buildCommands(
  core: EngineCore,
): Pick<Engine, 'run' | 'enqueue' | 'runQueued' | 'cancel' | 'retry' | 'settled' | 'builds' | 'build' | 'logs' | 'queueDepth'> {
  const { queue, recorder, store } = core;
  return {
    async run(req, o = {}) {
      const id = queue.createClaimed(await newBuild(core, req));
      o.onCreated?.(recorder.build(id));
      return queue.runClaimed(id, o.signal);
    },
    async enqueue(req, within) {
      const build = queue.enqueue(await newBuild(core, req), within);
      if (build.trigger === 'manual')
        recorder.audit({
          actor: build.requestedBy ?? 'unknown',
          action: 'trigger',
          project: build.project,
          target: `${build.branch}${req.sha ? `@${req.sha}` : ''}`,
          outcome: `queued #${build.id}`,
        });
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
      if (b.trigger === 'release')
        throw new UsageError(`build #${id} released build #${b.retryOf}: run greenci release ${b.project} --build ${b.retryOf} again`);
      core.project(b.project);
      const again = queue.requeue(b, 'retry', by);
      recorder.audit({ actor: by, action: 'retry', project: b.project, target: `#${id}`, outcome: `queued #${again.id}` });
      return again;
    },
    settled: (id) => queue.settled(id),
    builds: (o) => store.builds.list(o),
    build: (id) => store.builds.get(id),
    logs: (id, after) => store.builds.logs(id, after),
    queueDepth: () => store.builds.queueDepth(),
  };
}
