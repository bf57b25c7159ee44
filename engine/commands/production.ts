import type { Engine } from '../api.js';
import { backupDeps } from '../backup/production.js';
import { describeError } from '../errors.js';
import { planReleaseStages } from '../pipeline/plan.js';
import { checkReleasable, rollbackHoldReason } from '../pipeline/promotion.js';
import { rollbackProduction } from '../pipeline/rollback.js';
import { checkProduction, recoverBuilds } from '../recovery.js';
import type { EngineCore } from './core.js';
import { FrontProxy } from '../proxy/front-proxy.js';
import { trafficView } from '../proxy/traffic.js';
import { productionParts } from '../release/release-flow.js';
import { retireWarm } from '../release/retire.js';
import { withCanary } from '../release/canary.js';
import { liftHold, testedToRelease } from './release.js';

/**
 * Production: its releases, a rollback under its lock (which puts a hold on), `greenci release`
 * and lifting the hold, recovery after a crash, release tags origin lacks.
 */
export function productionCommands(
  core: EngineCore,
): Pick<Engine, 'rollback' | 'release' | 'liftHold' | 'canaryDecision' | 'traffic' | 'retireWarm' | 'releases' | 'recover' | 'pushTags'> {
  const { store, docker, recorder, deps, queue, tags, bus } = core;
  const projects = () => Object.keys(core.config().projects);
  return {
    rollback(req) {
      core.project(req.project);
      return deps.locks.run(
        `production:${req.project}`,
        `rollback by ${req.requestedBy}`,
        async () => {
          const backup = backupDeps(docker, recorder, deps.config);
          const r = await rollbackProduction(docker, recorder, deps.config.dataDir, { ...req, backup }, deps.secrets);
          // still under the production lock: no promotion comes between the rollback and its hold
          const hold = recorder.holdPlaced({
            project: req.project,
            by: req.requestedBy,
            reason: rollbackHoldReason(r.from?.version, r.to.version),
            releaseId: r.to.id,
            version: r.to.version,
          });
          recorder.audit({
            actor: req.requestedBy,
            action: 'hold',
            project: req.project,
            target: r.to.version,
            outcome: 'placed: production-branch builds are built and tested but not released until greenci release',
            detail: { hold: hold.id, reason: hold.reason },
          });
          req.log?.(`production ${req.project} is held: builds are tested, not released, until greenci release ${req.project}`);
          return { ...r, hold };
        },
        { onWait: req.log },
      );
    },
    async release(req) {
      const p = core.project(req.project);
      const found =
        req.build === undefined ? store.builds.lastSuccessOfBranch(req.project, p.productionBranch) : store.builds.get(req.build);
      const source = checkReleasable(found, { project: req.project, productionBranch: p.productionBranch, named: req.build });
      const hold = store.holds.current(req.project);
      const auditId = recorder.audit({
        actor: req.requestedBy,
        action: 'release',
        project: req.project,
        target: `#${source.id}`,
        detail: { sha: source.sha, hold: hold?.id },
      });
      try {
        // refused (images gone, nothing recorded) before anything changes: production and its hold stay as they are
        const found = await testedToRelease(store, docker, source);
        // an operator's canary for this release replaces greenci.yml's
        const tested = req.canary ? { ...found, spec: withCanary(found.spec, req.canary) } : found;
        const id = queue.createClaimed({
          project: req.project,
          branch: source.branch,
          requestedSha: source.sha,
          refSlug: source.refSlug,
          trigger: 'release',
          requestedBy: req.requestedBy,
          stages: planReleaseStages(),
          retryOf: source.id,
          tested,
        });
        recorder.build(id, { sha: source.sha, commitSubject: source.commitSubject, commitAuthor: source.commitAuthor });
        const off = bus.subscribe((e) => {
          if (e.type === 'log' && e.line.buildId === id) req.log?.(e.line.line);
        });
        const build = await queue.runClaimed(id).finally(off);
        const release = build.status === 'success' ? store.releases.ofCommit(req.project, source.sha) : undefined;
        const lifted = store.holds.liftedBy(id);
        recorder.auditOutcome(
          auditId,
          release
            ? `released ${release.version} (build #${id})${lifted ? '; hold lifted' : ''}`
            : `${build.status} (build #${id}): ${build.reason ?? ''}`,
        );
        return { build, of: source.id, release, lifted };
      } catch (err) {
        recorder.auditOutcome(auditId, `refused: ${describeError(err)}`);
        throw err;
      }
    },
    liftHold(req) {
      core.project(req.project);
      return liftHold(recorder, req);
    },
    canaryDecision(req) {
      core.project(req.project);
      const version = deps.canaries.decide(req.project, { decision: req.decision, by: req.requestedBy });
      recorder.audit({
        actor: req.requestedBy,
        action: `canary-${req.decision}`,
        project: req.project,
        target: version,
        outcome: req.decision === 'promote' ? 'asked: all requests to the canary now' : 'asked: canary aborted, switched back',
      });
      return { version };
    },
    async retireWarm() {
      const retired: { project: string; release: string }[] = [];
      for (const project of projects()) {
        const live = store.releases.liveRelease(project);
        if (!live) continue;
        const done = await deps.locks
          .run(`production:${project}`, 'retiring warm releases', () =>
            retireWarm(productionParts(docker, deps.config.dataDir, project), store.releases.specOf(live.id), live.version),
          )
          .catch(() => [] as string[]);
        for (const release of done) {
          recorder.audit({
            actor: 'greenci',
            action: 'retire',
            project,
            target: release,
            outcome: 'its keep_warm time was up: apps removed',
          });
          retired.push({ project, release });
        }
      }
      return retired;
    },
    async traffic(project) {
      core.project(project);
      return trafficView(new FrontProxy(docker, deps.config.dataDir, project));
    },
    releases(project) {
      core.project(project);
      return {
        releases: store.releases.releases(project),
        live: store.releases.liveRelease(project),
        hold: store.holds.current(project),
      };
    },
    async recover() {
      const notes = await recoverBuilds(recorder, queue, docker, projects());
      for (const project of projects()) {
        notes.push(
          ...(await checkProduction(recorder, docker, deps.locks, project, deps.config.dataDir, deps.secrets).catch((err) => [
            { level: 'error' as const, project, msg: `checking production failed: ${describeError(err)}` },
          ])),
        );
      }
      notes.push(...(await tags.round(projects(), 'start')));
      return notes;
    },
    pushTags: () => tags.round(projects(), 'schedule'),
  };
}
