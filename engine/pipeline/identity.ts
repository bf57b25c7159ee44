import type { DeployIdentity } from '../docker/specs.js';
import type { BuildContext } from './context.js';

/** Who a build's test environment belongs to: its labels and environment variables say so. */
export function testIdentity(ctx: BuildContext): DeployIdentity {
  return { project: ctx.project, env: 'test', release: `build-${ctx.buildId}`, buildId: ctx.buildId, commit: ctx.commit!.sha };
}
