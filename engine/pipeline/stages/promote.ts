import { prodImageRef } from '../../docker/tags.js';
import { StageError } from '../../errors.js';
import type { ImageRef } from '../../model.js';
import type { Stage } from '../context.js';
import { nextVersion } from '../version.js';

/**
 * Picks the release version and tags the tested images `<app>:<version>-prod`. Production is not touched yet.
 * A commit that production already runs is not released twice.
 */
export const promote: Stage = {
  name: 'promote',
  async run(ctx) {
    const { docker, recorder } = ctx.deps;
    const live = recorder.store.releases.liveRelease(ctx.project);
    if (live && live.sha === ctx.commit!.sha) {
      ctx.alreadyLive = live;
      ctx.version = live.version;
      recorder.build(ctx.buildId, { version: live.version });
      ctx.log(`production already runs this commit as ${live.version}: no new release`);
      return;
    }
    const tags = await ctx.deps.repo(ctx.project).tags('v*');
    const known = [...tags, ...recorder.store.releases.versions(ctx.project)];
    ctx.version = nextVersion(known, ctx.commit!.message);
    recorder.build(ctx.buildId, { version: ctx.version });
    ctx.log(`release version ${ctx.version} (after ${known.length ? known.length + ' earlier' : 'no earlier'} version${known.length === 1 ? '' : 's'})`);
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
    ctx.previousLive = recorder.store.releases.liveRelease(ctx.project);
  },
};
