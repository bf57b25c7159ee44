import { secretRefsOf } from '../../../config/host-secrets.js';
import { loadProjectFile } from '../../../config/project-file.js';
import type { EnvironmentSpec, EnvName, ProjectSpec } from '../../../config/project-spec.js';
import { StageError } from '../../errors.js';
import type { BuildContext, Stage } from '../context.js';
import { PREVIEW_STAGE, wantsPreview } from '../plan.js';

/**
 * Reads and validates the commit's greenci.yml; a broken one fails here, naming each problem's path.
 * So does a host secret it uses that greenci's config does not give, for each environment this
 * build deploys to (production only on the production branch): which secret, for which app or
 * service, and where greenci looked. Names only: no value is ever logged.
 */
export const readConfig: Stage = {
  name: 'config',
  async run(ctx) {
    const result = loadProjectFile(ctx.workdir!);
    if (result.errors.length) {
      for (const e of result.errors) ctx.log(`greenci.yml: ${e}`, 'stderr');
      throw new StageError(`greenci.yml is invalid: ${result.errors.join('; ')}`);
    }
    const spec = result.spec!;
    ctx.spec = spec;
    const apps = spec.services.filter((s) => s.kind === 'app').map((s) => s.name);
    const services = spec.services.filter((s) => s.kind === 'service').map((s) => s.name);
    ctx.log(
      `apps: ${apps.join(', ')}; services: ${services.join(', ') || 'none'}; test steps: ${spec.tests.map((t) => t.name).join(', ') || 'none'}`,
    );
    checkSecrets(ctx, spec);
    if (wantsPreview(ctx.branch, ctx.projectConfig.productionBranch, spec.preview !== undefined)) {
      const { from, to } = spec.preview!.portRange;
      ctx.log(
        `preview environments: on (ports ${from}-${to}, at most ${spec.preview!.max}); this build deploys the preview of ${ctx.branch}`,
      );
      ctx.planStage?.(PREVIEW_STAGE);
    } else if (ctx.deps.recorder.read.previews.get(ctx.project, ctx.branch)) {
      // the branch had a preview and this commit's file asks for none: the preview stage removes it
      ctx.log(`preview environments: off in this commit's greenci.yml; this build removes the preview of ${ctx.branch}`);
      ctx.planStage?.(PREVIEW_STAGE);
    }
  },
};

function checkSecrets(ctx: BuildContext, spec: ProjectSpec): void {
  const production = ctx.branch === ctx.projectConfig.productionBranch;
  // a preview is given the test environment's grants, with its own settings
  const envs: [string, EnvName, EnvironmentSpec][] = [
    ['test', 'test', spec.environments.test],
    ...(production ? [['production', 'production', spec.environments.production] as [string, EnvName, EnvironmentSpec]] : []),
    ...(!production && spec.preview ? [['preview', 'test', spec.preview.environment] as [string, EnvName, EnvironmentSpec]] : []),
  ];
  const problems: string[] = [];
  for (const [label, env, settings] of envs) {
    const uses = spec.services.map((s) => [s.name, Object.keys(secretRefsOf(s, settings))] as const).filter(([, vars]) => vars.length);
    if (!uses.length) continue;
    const found = ctx.deps.secrets.resolve(ctx.project, env, spec, settings).problems;
    problems.push(...found);
    if (!found.length) ctx.log(`host secrets for ${label}: ${uses.map(([name, vars]) => `${name} (${vars.join(', ')})`).join(', ')}`);
  }
  if (!problems.length) return;
  for (const p of [...new Set(problems)]) ctx.log(p, 'stderr');
  throw new StageError([...new Set(problems)].join('; '));
}
