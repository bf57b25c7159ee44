import { backupDeps } from '../../backup/production.js';
import { backupProduction } from '../../backup/take.js';
import { describeError, StageError } from '../../errors.js';
import { watchCanary } from '../../release/canary-watch.js';
import { type RouteRelease, routesFor } from '../../release/plan.js';
import { type ProductionParts, productionParts, switchTo, verifyWindow } from '../../release/release-flow.js';
import type { ReleaseRecord } from '../../model.js';
import { FrontProxy } from '../../proxy/front-proxy.js';
import type { BuildContext, Stage } from '../context.js';
import { productionDrift, proxyDrift, runningServices } from '../drift.js';
import { deployRelease, keepWarm, stopProduction } from '../rollback.js';

/**
 * Puts the promoted release in front of production (under the production lock the runner holds
 * from promote to release): its apps start beside the live ones, take traffic only once healthy,
 * and are watched through the verification window. A release that fails before the switch never
 * took a request (production kept serving); one that fails in the window is switched back to the
 * warm previous release. Either way the build fails saying why, and production is never left
 * half-deployed.
 */
export const deployProduction: Stage = {
  name: 'deploy-production',
  uninterruptible: true,
  async run(ctx) {
    if (ctx.alreadyLive) return restoreIfDrifted(ctx, ctx.alreadyLive);
    if (ctx.superseded) return ctx.log(`production runs the newer ${ctx.superseded.version}: left as it is`);
    await deployAndVerify(ctx);
  },
};

/**
 * Production is said to run this release already: look at what actually runs (containers, the
 * front proxy's routes) before saying so, and put the release back when it drifted.
 */
async function restoreIfDrifted(ctx: BuildContext, live: ReleaseRecord): Promise<void> {
  const { docker, recorder } = ctx.deps;
  const dataDir = ctx.deps.config.dataDir;
  const spec = recorder.read.releases.specOf(live.id);
  const problems = [
    ...productionDrift(live, spec, await runningServices(docker, ctx.project, live)),
    ...(await proxyDrift(new FrontProxy(docker, dataDir, ctx.project), live.version, spec)),
  ];
  if (!problems.length)
    return ctx.log(`production already runs ${live.version} (checked: its containers and the front proxy): left as it is`);
  ctx.log(`production should run ${live.version} but does not: ${problems.join('; ')}; restoring it`, 'stderr');
  const auditId = recorder.audit({
    actor: ctx.requestedBy,
    action: 'restore',
    project: ctx.project,
    target: live.version,
    detail: { problems },
  });
  const result = await deployRelease(docker, recorder, dataDir, {
    project: ctx.project,
    release: live,
    spec,
    kind: 'restore',
    requestedBy: ctx.requestedBy,
    buildId: ctx.buildId,
    serving: null,
    secrets: ctx.deps.secrets,
    log: (l) => ctx.log(l),
  });
  recorder.auditOutcome(auditId, result.ok ? 'success' : `failed: ${result.reason}`);
  if (!result.ok) {
    await stopProduction(docker, recorder, dataDir, {
      project: ctx.project,
      buildId: ctx.buildId,
      reason: `restoring ${live.version} failed: ${result.reason.split('\n')[0]}`,
    });
    throw new StageError(
      `production had drifted from ${live.version} and restoring it failed (${result.reason.split('\n')[0]}); production apps are stopped`,
      'production-stopped',
    );
  }
  ctx.log(`production restored to ${live.version}`);
}

async function deployAndVerify(ctx: BuildContext): Promise<void> {
  const { docker, recorder } = ctx.deps;
  const version = ctx.version!;
  const spec = ctx.spec!;
  const prev = ctx.previousLive;
  // looked up before anything is recorded or touched: a secret missing now leaves production as it is
  const secrets = ctx.deps.secrets.resolve(ctx.project, 'production', spec);
  if (secrets.problems.length) {
    for (const p of secrets.problems) ctx.log(p, 'stderr');
    throw new StageError(
      `${version} was not released (${secrets.problems.join('; ')}); ${prev ? `production kept serving ${prev.version}` : 'production has no release'}`,
    );
  }
  const auditId = recorder.audit({
    actor: ctx.requestedBy,
    action: 'promote',
    project: ctx.project,
    target: version,
    detail: { buildId: ctx.buildId, sha: ctx.commit!.sha },
  });
  await backupBeforeRelease(ctx, version, auditId);
  const dep = recorder.deploymentStarted({
    project: ctx.project,
    env: 'production',
    kind: 'promote',
    buildId: ctx.buildId,
    version,
    requestedBy: ctx.requestedBy,
  });
  const parts = productionParts(docker, ctx.deps.config.dataDir, ctx.project);
  const images = Object.fromEntries(Object.entries(ctx.releaseImages!).map(([k, v]) => [k, v.id]));
  const policy = spec.environments.production.release;
  // a canary shares traffic with the live release: there must be one, running beside it
  const canary = policy?.canary && prev ? policy.canary : undefined;
  let sw: Awaited<ReturnType<typeof switchTo>>;
  try {
    sw = await switchTo(parts, {
      project: ctx.project,
      version,
      buildId: ctx.buildId,
      sha: ctx.commit!.sha,
      images,
      spec,
      secrets: secrets.values,
      live: prev ? { version: prev.version } : undefined,
      weight: canary?.weight,
      log: (l) => ctx.log(l),
    });
  } catch (err) {
    const reason = describeError(err);
    recorder.deploymentFinished(ctx.project, dep, 'failed', { reason });
    const kept = prev ? `production kept serving ${prev.version}` : 'production has no release';
    ctx.log(`${version} was not put in front of production: ${reason}`, 'stderr');
    recorder.auditOutcome(auditId, `failed before the switch; ${kept}`);
    throw new StageError(`${version} was not released (${reason.split('\n')[0]}); ${kept}`);
  }

  if (canary && sw.previous) {
    await canaryStep(ctx, { parts, serving: sw.serving, previous: sw.previous, weight: canary.weight, forMs: canary.forMs, dep, auditId });
  } else if (policy && policy.verifyMs > 0) {
    ctx.log(`${version} takes production's requests; verifying it for ${Math.round(policy.verifyMs / 1000)} s`);
    const apps = await parts.target.appsOf(ctx.project, version);
    const verdict = await verifyWindow(apps, policy.verifyMs, docker);
    if (!verdict.ok) {
      const reason = verdict.reason!;
      recorder.deploymentFinished(ctx.project, dep, 'failed', { reason });
      ctx.log(`production verification failed: ${reason}`, 'stderr');
      const after = await rollBackAfterFailure(ctx);
      await parts.target.removeApps(ctx.project, version).catch(() => undefined);
      recorder.auditOutcome(auditId, `failed; ${after.text}`);
      throw new StageError(`${version} failed in production (${reason}); ${after.text}`, after.outcome);
    }
  }
  ctx.release = recorder.releaseDeployed(
    ctx.project,
    dep,
    {
      project: ctx.project,
      version,
      sha: ctx.commit!.sha,
      buildId: ctx.buildId,
      images: ctx.releaseImages!,
      spec,
      tagPushed: false,
    },
    sw.endpoints,
  );
  recorder.auditOutcome(auditId, 'success');
  await keepWarm(parts, spec, sw.previous?.release);
  ctx.log(
    `production runs ${version}${sw.previous ? `; ${sw.previous.release} is kept warm (${policy?.warm ?? 'running'}) for an instant rollback` : ''}`,
  );
}

/**
 * Production's data is backed up before a release touches anything (databases first), tied to the
 * release live now. A failed backup stops the release there: production is as it was.
 */
async function backupBeforeRelease(ctx: BuildContext, version: string, auditId: number): Promise<void> {
  const { docker, recorder } = ctx.deps;
  const prev = ctx.previousLive;
  if (!prev) return ctx.log('backup: production has no live release yet: nothing to back up');
  try {
    await backupProduction(backupDeps(docker, recorder, ctx.deps.config), {
      project: ctx.project,
      spec: recorder.read.releases.specOf(prev.id),
      release: prev.version,
      reason: `release ${version}`,
      requestedBy: ctx.requestedBy,
      log: (l) => ctx.log(l),
    });
  } catch (err) {
    const reason = describeError(err).split('\n')[0];
    ctx.log(`${version} was not released: ${reason}`, 'stderr');
    recorder.auditOutcome(auditId, `failed before anything changed: ${reason}; production kept serving ${prev.version}`);
    throw new StageError(`${version} was not released (${reason}); production was not changed and kept serving ${prev.version}`);
  }
}

/**
 * The canary: `weight` percent of requests for `forMs` while greenci watches; promoted, it takes
 * every request; aborted (by its checks or an operator), the live release takes them all back and
 * the canary's apps are removed. Throws StageError (outcome rolled-back) when aborted.
 */
async function canaryStep(
  ctx: BuildContext,
  c: { parts: ProductionParts; serving: RouteRelease; previous: RouteRelease; weight: number; forMs: number; dep: number; auditId: number },
): Promise<void> {
  const { recorder, docker } = ctx.deps;
  const version = ctx.version!;
  ctx.log(
    `canary: ${version} takes ${c.weight}% of production's requests for ${Math.round(c.forMs / 1000)} s beside ${c.previous.release}; greenci compares their 5xx rates (promote or abort it: greenci canary ${ctx.project} promote|abort)`,
  );
  const end = await watchCanary({
    project: ctx.project,
    buildId: ctx.buildId,
    version,
    live: c.previous.release,
    weight: c.weight,
    forMs: c.forMs,
    apps: await c.parts.target.appsOf(ctx.project, version),
    docker,
    proxy: c.parts.proxy,
    control: ctx.deps.canaries,
    publish: (st) => recorder.canary(st),
    log: (l) => ctx.log(l),
  });
  const figures = `canary ${end.state.canary.errors5xx}/${end.state.canary.requests} 5xx, live ${end.state.liveTraffic.errors5xx}/${end.state.liveTraffic.requests}`;
  recorder.audit({
    actor: end.by,
    action: end.outcome === 'promoted' ? 'canary-promoted' : 'canary-aborted',
    project: ctx.project,
    target: version,
    outcome: `${end.reason} (${figures})`,
    detail: { buildId: ctx.buildId, weight: c.weight },
  });
  if (end.outcome === 'promoted') {
    await c.parts.proxy.apply(routesFor(ctx.project, ctx.spec!, c.serving, c.previous, 100));
    ctx.log(`canary promoted (${end.reason}; ${figures}): ${version} takes every request`);
    return;
  }
  ctx.log(`canary aborted: ${end.reason} (${figures})`, 'stderr');
  recorder.deploymentFinished(ctx.project, c.dep, 'failed', { reason: `canary aborted: ${end.reason}` });
  const after = await rollBackAfterFailure(ctx);
  await c.parts.target.removeApps(ctx.project, version).catch(() => undefined);
  recorder.auditOutcome(c.auditId, `canary aborted; ${after.text}`);
  throw new StageError(`${version} canary aborted (${end.reason}); ${after.text}`, after.outcome);
}

async function rollBackAfterFailure(ctx: BuildContext): Promise<{ text: string; outcome: 'rolled-back' | 'production-stopped' }> {
  const { docker, recorder } = ctx.deps;
  const dataDir = ctx.deps.config.dataDir;
  const prev = ctx.previousLive;
  if (!prev) {
    await stopProduction(docker, recorder, dataDir, {
      project: ctx.project,
      buildId: ctx.buildId,
      reason: `${ctx.version} failed and there was no earlier release`,
    });
    ctx.log('no earlier release to roll back to: the new apps were stopped', 'stderr');
    return { text: 'there was no earlier release to roll back to, so its apps were stopped', outcome: 'production-stopped' };
  }
  ctx.log(`switching back to ${prev.version}`);
  const auditId = recorder.audit({
    actor: 'greenci',
    action: 'auto-rollback',
    project: ctx.project,
    target: prev.version,
    detail: { buildId: ctx.buildId, failed: ctx.version },
  });
  const started = Date.now();
  const result = await deployRelease(docker, recorder, dataDir, {
    project: ctx.project,
    release: prev,
    spec: recorder.read.releases.specOf(prev.id),
    kind: 'auto-rollback',
    requestedBy: 'greenci',
    buildId: ctx.buildId,
    serving: ctx.version,
    secrets: ctx.deps.secrets,
    log: (l) => ctx.log(l),
  });
  recorder.auditOutcome(auditId, result.ok ? 'success' : `failed: ${result.reason}`);
  if (result.ok) {
    const how = result.warm
      ? `switched back to the warm ${prev.version} in ${result.switchedAt - started} ms`
      : `rolled back to ${prev.version}`;
    return { text: `${how}, which is healthy`, outcome: 'rolled-back' };
  }
  await stopProduction(docker, recorder, dataDir, {
    project: ctx.project,
    buildId: ctx.buildId,
    reason: `${ctx.version} failed and so did the rollback to ${prev.version}`,
  });
  return {
    text: `the rollback to ${prev.version} failed too (${result.reason.split('\n')[0]}); production apps are stopped`,
    outcome: 'production-stopped',
  };
}
