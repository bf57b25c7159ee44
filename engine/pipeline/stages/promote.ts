import { prodImageRef } from '../../docker/tags.js';
import { StageError } from '../../errors.js';
import type { ImageRef } from '../../model.js';
import type { BuildContext, Stage } from '../context.js';
import { promotionBlock } from '../promotion.js';
import { missingImages } from '../rollback.js';
import { nextVersion } from '../version.js';

/**
 * First stage of the production lock scope (the runner holds production through the release tag).
 * Keeps what the build tested (for a later `greenci release`), then decides against the live
 * release and the hold, in this order: this commit already live → nothing to do; production must
 * not change for this build (held, or nobody's behalf) → not released, the rest skipped, saying
 * why; an older commit than the live one → not released (unless an operator named it); a commit
 * released before → that release again, its version unchanged; otherwise the next version, and
 * the tested images tagged `<app>:<version>-prod`.
 */
export const promote: Stage = {
  name: 'promote',
  async run(ctx) {
    const { recorder } = ctx.deps;
    const sha = ctx.commit!.sha;
    keepTested(ctx);
    const live = recorder.read.releases.liveRelease(ctx.project);
    if (live && live.sha === sha) {
      ctx.alreadyLive = live;
      ctx.version = live.version;
      recorder.build(ctx.buildId, { version: live.version });
      ctx.log(`production already runs this commit as ${live.version}: no new release`);
      return;
    }
    const hold = recorder.read.holds.current(ctx.project);
    const block = promotionBlock({ buildId: ctx.buildId, project: ctx.project, trigger: ctx.trigger, standIn: ctx.standIn }, hold);
    if (block) {
      ctx.notReleased = block;
      recorder.build(ctx.buildId, { reason: block, outcome: 'not-released' });
      ctx.log(`built and tested; ${block}`);
      ctx.log(`production is left as it is${live ? `: it runs ${live.version}` : ''}`);
      return;
    }
    const repo = ctx.deps.repo(ctx.project);
    if (live && ctx.trigger !== 'release' && (await repo.isAncestor(sha, live.sha))) {
      ctx.superseded = live;
      ctx.log(`production runs ${live.version} (${live.sha.slice(0, 12)}), which is newer than this commit: it is not released`);
      return;
    }
    ctx.previousLive = live;
    const before = recorder.read.releases.ofCommit(ctx.project, sha);
    if (before) return releaseAgain(ctx, before);
    const known = [...(await repo.tags('v*')), ...recorder.read.releases.versions(ctx.project)];
    ctx.version = nextVersion(known, ctx.commit!.message);
    recorder.build(ctx.buildId, { version: ctx.version });
    ctx.log(
      `release version ${ctx.version} (after ${known.length ? `${known.length} earlier` : 'no earlier'} version${known.length === 1 ? '' : 's'})`,
    );
    await tagImages(ctx);
  },
};

/** What `greenci release` needs to promote this build later: its images, greenci.yml and commit. */
function keepTested(ctx: BuildContext): void {
  const c = ctx.commit!;
  const images = Object.fromEntries(ctx.spec!.services.filter((s) => ctx.images[s.name]).map((s) => [s.name, ctx.images[s.name]]));
  ctx.deps.recorder.tested(ctx.buildId, {
    commit: { sha: c.sha, subject: c.subject, message: c.message, authorName: c.authorName, authorEmail: c.authorEmail },
    spec: ctx.spec!,
    images,
  });
}

/** A commit released before keeps its version: its release (images, greenci.yml) is deployed again. */
async function releaseAgain(ctx: BuildContext, before: NonNullable<BuildContext['redeploy']>): Promise<void> {
  const { docker, recorder } = ctx.deps;
  const missing = await missingImages(docker, before);
  if (missing.length)
    throw new StageError(
      `this commit was released as ${before.version}, whose images are gone (${missing.join(', ')}); production was not changed`,
    );
  ctx.redeploy = before;
  ctx.version = before.version;
  ctx.releaseImages = before.images;
  ctx.spec = recorder.read.releases.specOf(before.id);
  recorder.build(ctx.buildId, { version: before.version });
  ctx.log(`this commit was released before as ${before.version}: deploying ${before.version} again (no new version)`);
}

/** The tested images, tagged `<app>:<version>-prod`; services from a registry image by their id. */
async function tagImages(ctx: BuildContext): Promise<void> {
  const { docker } = ctx.deps;
  const images: Record<string, ImageRef> = {};
  for (const s of ctx.spec!.services) {
    if (ctx.images[s.name]) {
      const ref = prodImageRef(ctx.projectConfig.imagePrefix, s.name, ctx.version!);
      await docker.tagImage(ctx.images[s.name], ref);
      images[s.name] = { ref, id: ctx.images[s.name] };
      ctx.log(`tagged ${ref}`);
    } else {
      const id = await docker.imageId(s.image!);
      if (!id) throw new StageError(`service ${s.name}: image ${s.image} is not on this host`);
      images[s.name] = { ref: s.image!, id };
    }
  }
  ctx.releaseImages = images;
}
