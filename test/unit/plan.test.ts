import { describe, expect, it } from 'vitest';
import { planLockScopes, planStages } from '../../engine/pipeline/plan.js';
import { STAGES } from '../../engine/pipeline/stages/index.js';

describe('stage planning', () => {
  it('feature branches stop after the tests', () => {
    expect(planStages('feature/x', 'master').map((s) => s.name)).toEqual(['checkout', 'config', 'build', 'deploy-test', 'test']);
  });

  it('the production branch promotes, deploys to production and tags the release', () => {
    expect(planStages('master', 'master').map((s) => s.name)).toEqual([
      'checkout',
      'config',
      'build',
      'deploy-test',
      'test',
      'promote',
      'deploy-production',
      'release',
    ]);
    expect(planStages('main', 'main').at(-1)?.name).toBe('release');
    expect(planStages('master', 'main').at(-1)?.name).toBe('test');
  });

  it('every planned stage exists, and only production changes are uninterruptible', () => {
    for (const s of planStages('master', 'master')) expect(STAGES[s.name].name).toBe(s.name);
    const uninterruptible = Object.values(STAGES)
      .filter((s) => s.uninterruptible)
      .map((s) => s.name);
    expect(uninterruptible).toEqual(['deploy-production', 'release']);
  });
});

describe('lock scopes', () => {
  const test = { lock: 'test', first: 'deploy-test', last: 'test' };
  const production = { lock: 'production', first: 'promote', last: 'release' };

  it('a feature branch holds the test environment from its deployment through the tests, and never production', () => {
    expect(planLockScopes(planStages('feature/x', 'master'))).toEqual([test]);
    expect(planLockScopes(planStages('master', 'main'))).toEqual([test]);
  });

  it('the production branch also holds production from promotion through the release tag', () => {
    expect(planLockScopes(planStages('master', 'master'))).toEqual([test, production]);
    expect(planLockScopes(planStages('main', 'main'))).toEqual([test, production]);
  });

  it('a scope needs its first and last stage in the plan, in that order', () => {
    expect(planLockScopes([])).toEqual([]);
    expect(planLockScopes([{ name: 'checkout' }, { name: 'config' }, { name: 'build' }])).toEqual([]);
    expect(planLockScopes([{ name: 'deploy-test' }])).toEqual([]);
    expect(planLockScopes([{ name: 'test' }, { name: 'deploy-test' }])).toEqual([]);
  });
});
