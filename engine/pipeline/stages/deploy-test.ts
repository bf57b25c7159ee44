import { describeError } from '../../errors.js';
import { deployEnvironment } from '../deploy.js';
import type { Stage } from '../context.js';
import { testIdentity } from '../identity.js';

/** Replaces the project's test environment with this build: fresh databases, services, then apps. Holds the environment until the tests end. */
export const deployTest: Stage = {
  name: 'deploy-test',
  async run(ctx, signal) {
    // the project's test environment serves one build at a time: held until the tests are done
    const release = await ctx.deps.locks.acquire(`test:${ctx.project}`, `build #${ctx.buildId}`, { signal, onWait: (m) => ctx.log(m) });
    ctx.held.set('test', release);
    const rec = ctx.deps.recorder;
    const dep = rec.deploymentStarted({ project: ctx.project, env: 'test', kind: 'deploy', buildId: ctx.buildId, requestedBy: ctx.requestedBy });
    try {
      const images = Object.fromEntries(ctx.spec!.services.map((s) => [s.name, ctx.images[s.name] ?? s.image!]));
      const { endpoints } = await deployEnvironment(ctx.deps.docker, { id: testIdentity(ctx), spec: ctx.spec!, images, freshVolumes: true, log: (l) => ctx.log(l), signal });
      rec.deploymentFinished(ctx.project, dep, 'success', { endpoints });
    } catch (err) {
      rec.deploymentFinished(ctx.project, dep, 'failed', { reason: describeError(err) });
      throw err;
    }
  },
};
