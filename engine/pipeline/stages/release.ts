import { describeError } from '../../errors.js';
import type { BuildContext, Stage } from '../context.js';
import { holdText } from '../promotion.js';
import { tagPendingNote } from '../tag-retry.js';

/**
 * Tags the released commit `vX.Y.Z` and pushes the tag to origin (again, if an earlier push failed):
 * the last stage of the production lock scope. Production runs the release by now, so a push origin
 * refuses does not fail the build: the build says so, the release stays `not pushed`, and greenci
 * pushes it later (tag-push.ts, on reconciliation's schedule and at every start). A `greenci release`
 * build lifts production's hold here, once its release runs in production: a release that failed
 * (and was rolled back) never gets this far, and the hold stays.
 */
export const releaseTag: Stage = {
  name: 'release',
  uninterruptible: true,
  async run(ctx) {
    const release = ctx.release ?? ctx.alreadyLive;
    if (!release) return ctx.log('nothing was released');
    if (ctx.trigger === 'release') liftHold(ctx, release.version);
    if (release.tagPushed) return ctx.log(`${release.version} is already tagged in origin`);
    try {
      await ctx.deps
        .repo(ctx.project)
        .tagAndPush(release.version, release.sha, `greenci release ${release.version} (build #${release.buildId ?? ctx.buildId})`);
    } catch (err) {
      const why = describeError(err).split('\n')[0];
      ctx.log(`production runs ${release.version}, but tagging it in git failed: ${why}`, 'stderr');
      ctx.log(`greenci pushes the tag ${release.version} again on its own; greenci releases says "not pushed" until then`, 'stderr');
      ctx.deps.recorder.build(ctx.buildId, { reason: tagPendingNote(why) });
      return;
    }
    ctx.deps.recorder.tagPushed(release.id);
    ctx.log(`tagged ${release.sha.slice(0, 12)} as ${release.version} and pushed it to origin`);
  },
};

/** The operator's release went live: the hold it was asked to lift comes off, audited. */
function liftHold(ctx: BuildContext, version: string): void {
  const { recorder } = ctx.deps;
  const lifted = recorder.holdLifted(ctx.project, ctx.requestedBy, ctx.buildId);
  if (!lifted) return;
  recorder.audit({
    actor: ctx.requestedBy,
    action: 'lift-hold',
    project: ctx.project,
    target: version,
    outcome: `lifted by releasing ${version} (build #${ctx.buildId})`,
    detail: { hold: lifted.id, since: lifted.since, by: lifted.by, reason: lifted.reason },
  });
  ctx.log(`production was ${holdText(lifted)}: the hold is lifted, and the next ${ctx.branch} build that passes is released`);
}
