import { testStepContainerSpec } from '../../docker/specs.js';
import { StageError, throwIfAborted } from '../../errors.js';
import type { BuildContext, Stage } from '../context.js';
import { testIdentity } from '../identity.js';

/** Runs each test step as a container on the test environment's network; exit code 0 passes. */
export const runTests: Stage = {
  name: 'test',
  run: runSteps,
};

async function runSteps(ctx: BuildContext, signal: AbortSignal): Promise<void> {
  const steps = ctx.spec!.tests;
  if (!steps.length) {
    ctx.log('no test steps in greenci.yml: nothing to run');
    return;
  }
  const failed: string[] = [];
  for (const step of steps) {
    throwIfAborted(signal);
    const image = ctx.images[`test:${step.name}`] ?? step.image!;
    if (!(await ctx.deps.docker.imageId(image)))
      throw new StageError(`test step ${step.name}: image ${image} is not on this host (greenci never pulls)`);
    ctx.log(`test step ${step.name}: starting`);
    const started = Date.now();
    const { exitCode, timedOut } = await ctx.deps.docker.runToCompletion(testStepContainerSpec(testIdentity(ctx), step, image), {
      onLine: (line, stream) => ctx.log(line, stream),
      timeoutMs: step.timeoutMs,
      signal,
    });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (timedOut) failed.push(`${step.name} timed out after ${Math.round(step.timeoutMs / 1000)} s`);
    else if (exitCode !== 0) failed.push(`${step.name} exited ${exitCode}`);
    ctx.log(`test step ${step.name}: ${timedOut ? 'timed out' : exitCode === 0 ? 'passed' : `failed (exit ${exitCode})`} in ${secs} s`);
  }
  if (failed.length) throw new StageError(`tests failed: ${failed.join('; ')}`);
}
