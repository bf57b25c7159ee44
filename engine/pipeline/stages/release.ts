import { describeError, StageError } from '../../errors.js';
import type { Stage } from '../context.js';

/** Tags the released commit `vX.Y.Z` and pushes the tag to origin. */
export const releaseTag: Stage = {
  name: 'release',
  uninterruptible: true,
  async run(ctx) {
    const { version, release } = ctx;
    const repo = ctx.deps.repo(ctx.project);
    try {
      await repo.tagAndPush(version!, ctx.commit!.sha, `greenci release ${version} (build #${ctx.buildId})`);
    } catch (err) {
      throw new StageError(`production runs ${version}, but tagging it in git failed: ${describeError(err).split('\n')[0]}`);
    }
    ctx.deps.recorder.store.releases.markTagPushed(release!.id);
    ctx.log(`tagged ${ctx.commit!.sha.slice(0, 12)} as ${version} and pushed it to origin`);
  },
};
