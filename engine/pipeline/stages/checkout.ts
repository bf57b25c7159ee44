import path from 'node:path';
import type { Stage } from '../context.js';

/** Clones once into the project's cache, fetches, and checks the exact commit out into the build's worktree. */
export const checkout: Stage = {
  name: 'checkout',
  async run(ctx, signal) {
    const repo = ctx.deps.repo(ctx.project);
    ctx.log(`fetching ${ctx.projectConfig.repo}`);
    await repo.sync(signal);
    const sha = ctx.requestedSha ? await repo.resolveCommit(ctx.requestedSha, signal) : await repo.branchHead(ctx.branch, signal);
    ctx.commit = await repo.commitInfo(sha);
    ctx.deps.recorder.build(ctx.buildId, { sha, commitSubject: ctx.commit.subject, commitAuthor: `${ctx.commit.authorName} <${ctx.commit.authorEmail}>` });
    ctx.workdir = path.join(ctx.deps.config.dataDir, 'work', ctx.project, String(ctx.buildId));
    const cleanup = await repo.checkout(sha, ctx.workdir, signal);
    ctx.cleanups.push(cleanup);
    ctx.log(`checked out ${sha.slice(0, 12)} "${ctx.commit.subject}" by ${ctx.commit.authorName}`);
  },
};
