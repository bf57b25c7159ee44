import { describeError, StageError } from '../../errors.js';
import type { Stage } from '../context.js';

/** Tags the released commit `vX.Y.Z` and pushes the tag to origin (again, if an earlier push failed); then lets go of production. */
export const releaseTag: Stage = {
  name: 'release',
  uninterruptible: true,
  async run(ctx) {
    try {
      const release = ctx.release ?? ctx.alreadyLive;
      if (!release) return ctx.log('nothing was released');
      if (release.tagPushed) return ctx.log(`${release.version} is already tagged in origin`);
      try {
        await ctx.deps.repo(ctx.project).tagAndPush(release.version, release.sha, `greenci release ${release.version} (build #${release.buildId ?? ctx.buildId})`);
      } catch (err) {
        throw new StageError(`production runs ${release.version}, but tagging it in git failed: ${describeError(err).split('\n')[0]}`);
      }
      ctx.deps.recorder.store.releases.markTagPushed(release.id);
      ctx.log(`tagged ${release.sha.slice(0, 12)} as ${release.version} and pushed it to origin`);
    } finally {
      ctx.held.get('production')?.();
    }
  },
};
