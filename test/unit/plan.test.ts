import { describe, expect, it } from 'vitest';
import { planStages } from '../../engine/pipeline/plan.js';
import { STAGES } from '../../engine/pipeline/stages/index.js';

describe('stage planning', () => {
  it('feature branches stop after the tests', () => {
    expect(planStages('feature/x', 'master').map((s) => s.name)).toEqual(['checkout', 'config', 'build', 'deploy-test', 'test']);
  });

  it('the production branch promotes, deploys to production and tags the release', () => {
    expect(planStages('master', 'master').map((s) => s.name)).toEqual(['checkout', 'config', 'build', 'deploy-test', 'test', 'promote', 'deploy-production', 'release']);
    expect(planStages('main', 'main').at(-1)?.name).toBe('release');
    expect(planStages('master', 'main').at(-1)?.name).toBe('test');
  });

  it('every planned stage exists, and only production changes are uninterruptible', () => {
    for (const s of planStages('master', 'master')) expect(STAGES[s.name].name).toBe(s.name);
    const uninterruptible = Object.values(STAGES).filter((s) => s.uninterruptible).map((s) => s.name);
    expect(uninterruptible).toEqual(['deploy-production', 'release']);
  });
});
