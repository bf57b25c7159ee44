import type { DeployIdentity } from '../docker/specs.js';
import type { BuildContext } from './context.js';

/** Who a build's test environment belongs to: its labels and environment variables say so. */
export function testIdentity(ctx: BuildContext): DeployIdentity {
  return { project: ctx.project, env: 'test', release: `build-${ctx.buildId}`, buildId: ctx.buildId, commit: ctx.commit!.sha };
}

/** What a build deploys per app and service: the image it built, or a service's local image. */
export function builtImages(ctx: BuildContext): Record<string, string> {
  return Object.fromEntries(ctx.spec!.services.map((s) => [s.name, ctx.images[s.name] ?? s.image!]));
}
