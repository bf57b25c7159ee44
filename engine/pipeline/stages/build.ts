import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { BuildSpec } from '../../../config/project-spec.js';
import { checkDockerfile } from '../../docker/dockerfile.js';
import { LABEL } from '../../docker/names.js';
import { testImageRef } from '../../docker/tags.js';
import { StageError, throwIfAborted, type ExternalCommandError } from '../../errors.js';
import type { BuildContext, Stage } from '../context.js';

/** What the build stage makes: one image per built app, service and test step. */
export function buildTargets(ctx: BuildContext): { key: string; name: string; build: BuildSpec }[] {
  const spec = ctx.spec!;
  return [
    ...spec.services.filter((s) => s.build).map((s) => ({ key: s.name, name: s.name, build: s.build! })),
    ...spec.tests.filter((t) => t.build).map((t) => ({ key: `test:${t.name}`, name: `${ctx.project}-test-${t.name}`, build: t.build! })),
  ];
}

/**
 * Builds every image, tagged `<app>:<ref>-test`, its output streamed into the build log. Every
 * Dockerfile and base image is checked first, so a refused one stops the stage before anything is built.
 */
export const buildImages: Stage = {
  name: 'build',
  async run(ctx, signal) {
    const { docker } = ctx.deps;
    const plans = [];
    const refused: { where: string; why: string }[] = [];
    for (const target of buildTargets(ctx)) {
      throwIfAborted(signal);
      const contextDir = insideRepository(ctx.workdir!, target.build.context, `${target.key}: build context`);
      const dockerfile = insideRepository(
        ctx.workdir!,
        path.join(target.build.context, target.build.dockerfile),
        `${target.key}: Dockerfile`,
      );
      const where = `${target.key}: ${path.relative(realpathSync(ctx.workdir!), dockerfile)}`;
      for (const why of await dockerfileRefusals(ctx, dockerfile, target.build.args, target.key)) refused.push({ where, why });
      const network = buildNetwork(ctx, target.build);
      if (network.refused) refused.push({ where: target.key, why: network.refused });
      plans.push({ target, contextDir, network: network.name });
    }
    if (refused.length) {
      for (const r of refused) ctx.log(`${r.where}: ${r.why}`, 'stderr');
      const more = refused.length > 1 ? ` (and ${refused.length - 1} more in the build log)` : '';
      throw new StageError(`${refused[0].where} is refused: ${refused[0].why}${more}`);
    }
    for (const { target, contextDir, network } of plans) {
      throwIfAborted(signal);
      const ref = testImageRef(ctx.projectConfig.imagePrefix, target.name, ctx.branch);
      ctx.log(
        `building ${ref} from ${target.build.context}/${target.build.dockerfile}${network === 'none' ? '' : ` (RUN steps on the network ${network})`}`,
      );
      try {
        ctx.images[target.key] = await docker.buildImage({
          contextDir,
          dockerfile: target.build.dockerfile,
          tags: [ref],
          labels: {
            [LABEL.project]: ctx.project,
            [LABEL.app]: target.key,
            [LABEL.commit]: ctx.commit!.sha,
            [LABEL.build]: String(ctx.buildId),
          },
          buildArgs: target.build.args,
          network,
          onLine: (line) => ctx.log(line),
          signal,
        });
      } catch (err) {
        throwIfAborted(signal);
        const detail = (err as Error).message.split('\n').at(-1)!;
        const hint =
          network === 'none' && /returned a non-zero code/.test(detail)
            ? ' (RUN steps have no network; see build.network in the README)'
            : '';
        throw new StageError(`building ${target.key} failed: ${detail}${hint}`);
      }
    }
  },
};

/** `none` unless greenci.yml asks for a network and greenci's config gives the project one; asking without it is refused. */
function buildNetwork(ctx: BuildContext, build: BuildSpec): { name: string; refused?: string } {
  if (!build.network) return { name: 'none' };
  const allowed = ctx.projectConfig.buildNetwork;
  if (allowed) return { name: allowed };
  return {
    name: 'none',
    refused: `greenci.yml asks for a network for RUN steps (build.network: true), but greenci's config gives project ${ctx.project} none (projects.${ctx.project}.buildNetwork)`,
  };
}

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
  if (real !== root && !real.startsWith(root + path.sep))
    throw new StageError(`${what} ${JSON.stringify(rel)} leads outside the repository (through a symlink)`);
  return real;
}

/**
 * Why a Dockerfile may not be built: it fetches remote sources or reads images it may not (see
 * checkDockerfile), or an image it builds FROM belongs to another project (its greenci.project
 * label) or carries ONBUILD triggers (they would run here unchecked). A base image missing from
 * the host fails at once: greenci never pulls.
 */
async function dockerfileRefusals(ctx: BuildContext, dockerfile: string, args: Record<string, string>, what: string): Promise<string[]> {
  const check = checkDockerfile(readFileSync(dockerfile), args);
  if (check.refusals.length) return check.refusals;
  const refusals: string[] = [];
  for (const image of check.baseImages) {
    const info = await ctx.deps.docker.imageInfo(image).catch((err: unknown) => {
      if ((err as ExternalCommandError).exitCode === 400) return undefined; // not a valid reference: no such image either
      throw err;
    });
    if (!info)
      throw new StageError(`${what}: base image ${image} is not on this host, and greenci never pulls (build or load it locally first)`);
    const owner = info.labels[LABEL.project];
    if (owner !== undefined && owner !== ctx.project) {
      refusals.push(
        `base image ${image} belongs to project ${owner}: a build may use its own project's images and the host's base images, not another project's`,
      );
    } else if (info.onBuild.length) {
      refusals.push(`base image ${image} has ONBUILD triggers (${info.onBuild.join('; ')}); greenci does not run them`);
    }
  }
  return refusals;
}
