import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { BuildSpec } from '../../../config/project-spec.js';
import { baseImages } from '../../docker/dockerfile.js';
import { LABEL } from '../../docker/names.js';
import { testImageRef } from '../../docker/tags.js';
import { StageError, throwIfAborted } from '../../errors.js';
import type { BuildContext, Stage } from '../context.js';

/** What the build stage makes: one image per built app, service and test step. */
export function buildTargets(ctx: BuildContext): { key: string; name: string; build: BuildSpec }[] {
  const spec = ctx.spec!;
  return [
    ...spec.services.filter((s) => s.build).map((s) => ({ key: s.name, name: s.name, build: s.build! })),
    ...spec.tests.filter((t) => t.build).map((t) => ({ key: `test:${t.name}`, name: `${ctx.project}-test-${t.name}`, build: t.build! })),
  ];
}

/** Builds every image, tagged `<app>:<ref>-test`, its output streamed into the build log. */
export const buildImages: Stage = {
  name: 'build',
  async run(ctx, signal) {
    const { docker } = ctx.deps;
    for (const target of buildTargets(ctx)) {
      throwIfAborted(signal);
      const contextDir = insideRepository(ctx.workdir!, target.build.context, `${target.key}: build context`);
      const dockerfile = insideRepository(ctx.workdir!, path.join(target.build.context, target.build.dockerfile), `${target.key}: Dockerfile`);
      await assertBaseImagesPresent(ctx, dockerfile, target.build.args, target.key);
      const ref = testImageRef(ctx.projectConfig.imagePrefix, target.name, ctx.branch);
      ctx.log(`building ${ref} from ${target.build.context}/${target.build.dockerfile}`);
      try {
        ctx.images[target.key] = await docker.buildImage({
          contextDir,
          dockerfile: target.build.dockerfile,
          tags: [ref],
          labels: { [LABEL.project]: ctx.project, [LABEL.app]: target.key, [LABEL.commit]: ctx.commit!.sha, [LABEL.build]: String(ctx.buildId) },
          buildArgs: target.build.args,
          onLine: (line) => ctx.log(line),
          signal,
        });
      } catch (err) {
        throwIfAborted(signal);
        throw new StageError(`building ${target.key} failed: ${(err as Error).message.split('\n').at(-1)}`);
      }
    }
  },
};

/**
 * The real path of something in the checkout, refused when a symlink takes it outside: a
 * pushed branch must not be able to make greenci's data directory (or anything else on the host)
 * a build context.
 */
function insideRepository(workdir: string, rel: string, what: string): string {
  const root = realpathSync(workdir);
  let real: string;
  try {
    real = realpathSync(path.join(workdir, rel));
  } catch {
    throw new StageError(`${what} ${JSON.stringify(rel)} does not exist in the repository`);
  }
  if (real !== root && !real.startsWith(root + path.sep)) throw new StageError(`${what} ${JSON.stringify(rel)} leads outside the repository (through a symlink)`);
  return real;
}

async function assertBaseImagesPresent(ctx: BuildContext, dockerfile: string, args: Record<string, string>, what: string): Promise<void> {
  for (const image of baseImages(readFileSync(dockerfile, 'utf8'), args)) {
    if (!(await ctx.deps.docker.imageId(image))) {
      throw new StageError(`${what}: base image ${image} is not on this host, and greenci never pulls (build or load it locally first)`);
    }
  }
}
