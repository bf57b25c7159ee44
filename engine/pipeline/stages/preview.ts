import type { PreviewSpec } from '../../../config/project-spec.js';
import { describeError, StageError } from '../../errors.js';
import { pullRequestOf } from '../../git/ref-name.js';
import { pickPorts, previewEnvKey, previewsToEvict } from '../../preview/decide.js';
import { portFree } from '../../port-free.js';
import { previewLock, removePreview } from '../../preview/teardown.js';
import type { BuildContext, Stage } from '../context.js';
import { deployEnvironment } from '../deploy.js';
import { builtImages } from '../identity.js';

/**
 * Puts a tested branch build into the branch's own preview environment: its own network and
 * volumes, its apps on ports from greenci.yml's range (the same ones as the branch's last preview
 * when they are still free), the oldest preview removed first when the project has its maximum.
 * Databases keep their data from one build of the branch to the next. The project's preview lock
 * is held throughout, so ports and evictions are decided one deploy at a time. A branch whose
 * preview the commit's greenci.yml no longer asks for has it removed here instead.
 */
export const deployPreview: Stage = {
  name: 'preview',
  async run(ctx, signal) {
    const preview = ctx.spec!.preview;
    const { locks, recorder, docker } = ctx.deps;
    const work = preview
      ? () => deploy(ctx, preview, signal)
      : async () => {
          await removePreview(
            { docker, recorder, locks },
            ctx.project,
            ctx.branch,
            `greenci (build #${ctx.buildId})`,
            "this commit's greenci.yml has no environments.preview",
          );
        };
    await locks.run(previewLock(ctx.project), `build #${ctx.buildId}: the preview of ${ctx.branch}`, work, {
      signal,
      onWait: (m) => ctx.log(m),
    });
    const live = recorder.read.previews.get(ctx.project, ctx.branch);
    for (const [app, url] of Object.entries(live?.endpoints ?? {})) ctx.log(`preview of ${ctx.branch}: ${app} at ${new URL(url).origin}`);
  },
};

async function deploy(ctx: BuildContext, preview: PreviewSpec, signal: AbortSignal): Promise<void> {
  const { docker, recorder, locks } = ctx.deps;
  const read = recorder.read.previews;
  // what it would show went away while the build ran (its teardown ran before this took the lock): no preview comes back for it
  const gone = await goneSinceBuilt(ctx, signal);
  if (gone) {
    ctx.log(`no preview: ${gone}`);
    return;
  }
  for (const old of previewsToEvict(read.list(ctx.project), ctx.branch, preview.max)) {
    ctx.log(`removing the preview of ${old.branch} (deployed first): at most ${preview.max} at once`);
    await removePreview(
      { docker, recorder, locks },
      ctx.project,
      old.branch,
      `greenci (build #${ctx.buildId})`,
      `evicted: at most ${preview.max} previews at once, and ${ctx.branch} needs one`,
    );
  }
  const before = read.get(ctx.project, ctx.branch);
  const ports = await freePorts(ctx, preview, before?.ports ?? {});
  // previews are given the test environment's host secrets, never production's
  const secrets = ctx.deps.secrets.require(ctx.project, 'test', ctx.spec!, preview.environment);
  const envKey = previewEnvKey(ctx.branch);
  const dep = recorder.deploymentStarted({
    project: ctx.project,
    env: 'preview',
    target: ctx.branch,
    kind: 'deploy',
    buildId: ctx.buildId,
    requestedBy: ctx.requestedBy,
  });
  recorder.previewDeploying({ project: ctx.project, branch: ctx.branch, envKey, buildId: ctx.buildId, sha: ctx.commit!.sha, ports });
  ctx.log(
    `preview of ${ctx.branch}: ${Object.entries(ports)
      .map(([app, port]) => `${app} on port ${port}`)
      .join(', ')}`,
  );
  try {
    const { endpoints } = await deployEnvironment(docker, {
      id: {
        project: ctx.project,
        env: envKey,
        preview: ctx.branch,
        release: `build-${ctx.buildId}`,
        buildId: ctx.buildId,
        commit: ctx.commit!.sha,
      },
      spec: ctx.spec!,
      environment: { ...preview.environment, ports },
      images: builtImages(ctx),
      freshVolumes: false,
      secrets,
      log: (l) => ctx.log(l),
      signal,
    });
    recorder.deploymentFinished(ctx.project, dep, 'success', { endpoints });
    recorder.previewSettled(ctx.project, ctx.branch, { endpoints });
  } catch (err) {
    const reason = signal.aborted ? 'cancelled' : describeError(err);
    recorder.deploymentFinished(ctx.project, dep, 'failed', { reason });
    recorder.previewSettled(ctx.project, ctx.branch, { failed: reason });
    throw err;
  }
}

/** Why the build's branch (or a fork's pull request) has no business with a preview now, if so. */
async function goneSinceBuilt(ctx: BuildContext, signal: AbortSignal): Promise<string | undefined> {
  const pr = pullRequestOf(ctx.branch);
  if (pr !== undefined) {
    const found = ctx.deps.recorder.read.pullRequests.get(ctx.project, pr);
    return found?.state === 'closed' ? `pull request #${pr} was closed` : undefined;
  }
  // the remote not answering now is no reason to withhold a preview of a build that just passed
  const heads = await ctx.deps
    .repo(ctx.project)
    .remoteHeads(signal)
    .catch((err) => {
      if (signal.aborted) throw err;
      ctx.log(`could not ask the remote whether ${ctx.branch} still exists (${describeError(err)}); deploying its preview`, 'stderr');
      return undefined;
    });
  return !heads || heads.has(ctx.branch) ? undefined : `branch ${ctx.branch} is no longer on the remote`;
}

/**
 * A port per app from the range: not held by any project's preview (this branch's own excepted,
 * it is being replaced) and not listened on by anything else on the host now.
 */
async function freePorts(ctx: BuildContext, preview: PreviewSpec, kept: Record<string, number>): Promise<Record<string, number>> {
  const apps = ctx.spec!.services.filter((s) => s.kind === 'app').map((s) => s.name);
  const held = ctx.deps.recorder.read.previews
    .all()
    .filter((p) => !(p.project === ctx.project && p.branch === ctx.branch))
    .flatMap((p) => Object.values(p.ports));
  const taken = new Set(held);
  const mine = new Set(Object.values(kept));
  for (;;) {
    const ports = pickPorts(apps, preview.portRange, taken, kept);
    if (!ports) {
      const { from, to } = preview.portRange;
      throw new StageError(`no free ports left in the preview range ${from}-${to} for ${apps.length} app${apps.length === 1 ? '' : 's'}`);
    }
    // this branch's running preview holds its own ports: they are free for its next build
    const busy = [];
    for (const port of Object.values(ports)) if (!mine.has(port) && !(await portFree(preview.environment.bind, port))) busy.push(port);
    if (!busy.length) return ports;
    for (const port of busy) taken.add(port);
    ctx.log(`port${busy.length === 1 ? '' : 's'} ${busy.join(', ')} in use on the host: not given to the preview`);
  }
}
