import { prodImageRef } from '../../docker/tags.js';
import { StageError } from '../../errors.js';
import type { ImageRef } from '../../model.js';
import type { Stage } from '../context.js';
import { nextVersion } from '../version.js';

/**
 * First stage of the production lock scope (the runner holds production through the release tag).
 * Decides against the live release: this commit already live → nothing to do; an older commit than
 * the live one → not released; otherwise pick the next version and tag the tested images
 * `<app>:<version>-prod`.
 */
export const promote: Stage = {
  name: 'promote',
  async run(ctx) {
    const { docker, recorder } = ctx.deps;
    const sha = ctx.commit!.sha;
    const live = recorder.read.releases.liveRelease(ctx.project);
    if (live && live.sha === sha) {
      ctx.alreadyLive = live;
      ctx.version = live.version;
      recorder.build(ctx.buildId, { version: live.version });
      ctx.log(`production already runs this commit as ${live.version}: no new release`);
      return;
    }
    const repo = ctx.deps.repo(ctx.project);
    if (live && (await repo.isAncestor(sha, live.sha))) {
      ctx.superseded = live;
      ctx.log(`production runs ${live.version} (${live.sha.slice(0, 12)}), which is newer than this commit: it is not released`);
      return;
    }
    const known = [...(await repo.tags('v*')), ...recorder.read.releases.versions(ctx.project)];
    ctx.version = nextVersion(known, ctx.commit!.message);
    recorder.build(ctx.buildId, { version: ctx.version });
    ctx.log(
      `release version ${ctx.version} (after ${known.length ? `${known.length} earlier` : 'no earlier'} version${known.length === 1 ? '' : 's'})`,
    );
    const images: Record<string, ImageRef> = {};
    for (const s of ctx.spec!.services) {
      if (ctx.images[s.name]) {
        const ref = prodImageRef(ctx.projectConfig.imagePrefix, s.name, ctx.version);
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
    ctx.previousLive = live;
  },
};
