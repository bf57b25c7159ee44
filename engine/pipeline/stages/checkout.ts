import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { Stage } from '../context.js';

/** Clones once into the project's cache, fetches, and checks the exact commit out into the build's worktree. */
export const checkout: Stage = {
  name: 'checkout',
  async run(ctx, signal) {
    const repo = ctx.deps.repo(ctx.project);
    ctx.workdir = path.join(ctx.deps.config.dataDir, 'work', ctx.project, String(ctx.buildId));
    const workdir = ctx.workdir;
    // one git operation on the project's cache at a time, across every greenci process
    const sha = await ctx.deps.locks.run(
      `repo:${ctx.project}`,
      `build #${ctx.buildId} checking out`,
      async () => {
        ctx.log(`fetching ${ctx.projectConfig.repo}`);
        await repo.sync(signal);
        const head = await repo.branchHead(ctx.branch, signal);
        const wanted = ctx.requestedSha ? await repo.resolveCommit(ctx.requestedSha, signal) : head;
        if (wanted !== head && !(await repo.isAncestor(wanted, head))) {
          throw new UsageError(`commit ${wanted.slice(0, 12)} is not on branch ${JSON.stringify(ctx.branch)}`);
        }
        ctx.cleanups.push(await repo.checkout(wanted, workdir, signal));
        return wanted;
      },
      { signal, onWait: (m) => ctx.log(m) },
    );
    ctx.commit = await repo.commitInfo(sha);
    ctx.deps.recorder.build(ctx.buildId, {
      sha,
      commitSubject: ctx.commit.subject,
      commitAuthor: `${ctx.commit.authorName} <${ctx.commit.authorEmail}>`,
    });
    ctx.log(`checked out ${sha.slice(0, 12)} "${ctx.commit.subject}" by ${ctx.commit.authorName}`);
  },
};
