import { describeError, StageError } from '../../errors.js';
import { deployEnvironment } from '../deploy.js';
import type { BuildContext, Stage } from '../context.js';
import { deployRelease, stopProduction } from '../rollback.js';

/**
 * Deploys the promoted images to production and verifies health (under the production lock
 * the runner holds from promote to release). On failure it rolls back to the release that was live before, verifies that,
 * and fails the build saying why. If nothing healthy can be restored, production's apps are
 * stopped and recorded as such, so production is never left half-deployed.
 */
export const deployProduction: Stage = {
  name: 'deploy-production',
  uninterruptible: true,
  async run(ctx) {
    if (ctx.alreadyLive) return ctx.log(`production already runs ${ctx.alreadyLive.version}: left as it is`);
    if (ctx.superseded) return ctx.log(`production runs the newer ${ctx.superseded.version}: left as it is`);
    await deployAndVerify(ctx);
  },
};

async function deployAndVerify(ctx: BuildContext): Promise<void> {
  const { docker, recorder } = ctx.deps;
  const version = ctx.version!;
  const auditId = recorder.audit({
    actor: ctx.requestedBy,
    action: 'promote',
    project: ctx.project,
    target: version,
    detail: { buildId: ctx.buildId, sha: ctx.commit!.sha },
  });
  const dep = recorder.deploymentStarted({
    project: ctx.project,
    env: 'production',
    kind: 'promote',
    buildId: ctx.buildId,
    version,
    requestedBy: ctx.requestedBy,
  });
  try {
    const images = Object.fromEntries(Object.entries(ctx.releaseImages!).map(([k, v]) => [k, v.id]));
    await deployEnvironment(docker, {
      id: { project: ctx.project, env: 'production', release: version, buildId: ctx.buildId, commit: ctx.commit!.sha },
      spec: ctx.spec!,
      images,
      freshVolumes: false,
      log: (l) => ctx.log(l),
    });
  } catch (err) {
    const reason = describeError(err);
    recorder.deploymentFinished(ctx.project, dep, 'failed', { reason });
    ctx.log(`production verification failed: ${reason}`, 'stderr');
    const after = await rollBackAfterFailure(ctx);
    recorder.auditOutcome(auditId, `failed; ${after.text}`);
    throw new StageError(`${version} failed in production (${reason.split('\n')[0]}); ${after.text}`, after.outcome);
  }
  ctx.release = recorder.releaseDeployed(ctx.project, dep, {
    project: ctx.project,
    version,
    sha: ctx.commit!.sha,
    buildId: ctx.buildId,
    images: ctx.releaseImages!,
    spec: ctx.spec!,
    tagPushed: false,
  });
  recorder.auditOutcome(auditId, 'success');
  ctx.log(`production runs ${version}`);
}

async function rollBackAfterFailure(ctx: BuildContext): Promise<{ text: string; outcome: 'rolled-back' | 'production-stopped' }> {
  const { docker, recorder } = ctx.deps;
  const prev = ctx.previousLive;
  if (!prev) {
    await stopProduction(docker, recorder, {
      project: ctx.project,
      buildId: ctx.buildId,
      reason: `${ctx.version} failed and there was no earlier release`,
    });
    ctx.log('no earlier release to roll back to: the new apps were stopped', 'stderr');
    return { text: 'there was no earlier release to roll back to, so its apps were stopped', outcome: 'production-stopped' };
  }
  ctx.log(`rolling back automatically to ${prev.version}`);
  const auditId = recorder.audit({
    actor: 'greenci',
    action: 'auto-rollback',
    project: ctx.project,
    target: prev.version,
    detail: { buildId: ctx.buildId, failed: ctx.version },
  });
  const result = await deployRelease(docker, recorder, {
    project: ctx.project,
    release: prev,
    spec: recorder.read.releases.specOf(prev.id),
    kind: 'auto-rollback',
    requestedBy: 'greenci',
    buildId: ctx.buildId,
    log: (l) => ctx.log(l),
  });
  recorder.auditOutcome(auditId, result.ok ? 'success' : `failed: ${result.reason}`);
  if (result.ok) return { text: `rolled back to ${prev.version}, which is healthy`, outcome: 'rolled-back' };
  await stopProduction(docker, recorder, {
    project: ctx.project,
    buildId: ctx.buildId,
    reason: `${ctx.version} failed and so did the rollback to ${prev.version}`,
  });
  return {
    text: `the rollback to ${prev.version} failed too (${result.reason.split('\n')[0]}); production apps are stopped`,
    outcome: 'production-stopped',
  };
}
