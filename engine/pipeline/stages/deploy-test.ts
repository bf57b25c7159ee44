import { describeError } from '../../errors.js';
import { deployEnvironment } from '../deploy.js';
import type { Stage } from '../context.js';
import { builtImages, testIdentity } from '../identity.js';

/** Replaces the project's test environment with this build: fresh databases, services, then apps. The test lock scope (held until the tests end) begins here. */
export const deployTest: Stage = {
  name: 'deploy-test',
  async run(ctx, signal) {
    const rec = ctx.deps.recorder;
    // a secret gone since the config stage (a config reload) fails here, before the environment is touched
    const secrets = ctx.deps.secrets.require(ctx.project, 'test', ctx.spec!);
    const dep = rec.deploymentStarted({
      project: ctx.project,
      env: 'test',
      kind: 'deploy',
      buildId: ctx.buildId,
      requestedBy: ctx.requestedBy,
    });
    try {
      const { endpoints } = await deployEnvironment(ctx.deps.docker, {
        id: testIdentity(ctx),
        spec: ctx.spec!,
        images: builtImages(ctx),
        freshVolumes: true,
        secrets,
        log: (l) => ctx.log(l),
        signal,
      });
      rec.deploymentFinished(ctx.project, dep, 'success', { endpoints });
    } catch (err) {
      rec.deploymentFinished(ctx.project, dep, 'failed', { reason: describeError(err) });
      throw err;
    }
  },
};
