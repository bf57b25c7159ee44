import { describe, expect, it } from 'vitest';
import { bumpFor, nextVersion } from '../../engine/pipeline/version.js';

describe('release version bump', () => {
  it('starts at v0.1.0', () => {
    expect(nextVersion([], 'anything')).toBe('v0.1.0');
    expect(nextVersion(['not-a-version', 'v-bad', 'release-1'], 'feat: x')).toBe('v0.1.0');
  });

  it('reads the bump from the head commit message (conventional commits)', () => {
    expect(bumpFor('fix: rounding')).toBe('patch');
    expect(bumpFor('chore: deps')).toBe('patch');
    expect(bumpFor('Plain message')).toBe('patch');
    expect(bumpFor('feat: weighing API')).toBe('minor');
    expect(bumpFor('feat(billing): invoices')).toBe('minor');
    expect(bumpFor('feat!: drop v1 API')).toBe('major');
    expect(bumpFor('refactor(db)!: new schema')).toBe('major');
    expect(bumpFor('fix: x\n\nBREAKING CHANGE: totals are in cents')).toBe('major');
  });

  it('bumps from the highest existing version, whatever the order', () => {
    expect(nextVersion(['v0.1.0', 'v0.3.2', 'v0.2.9'], 'fix: a')).toBe('v0.3.3');
    expect(nextVersion(['v0.1.0', 'v0.3.2'], 'feat: a')).toBe('v0.4.0');
    expect(nextVersion(['v1.4.2'], 'feat!: a')).toBe('v2.0.0');
    expect(nextVersion(['v1.4.2', 'v1.10.0'], 'fix: a')).toBe('v1.10.1');
  });

  it('keeps breaking changes below 1.0.0 as minor bumps', () => {
    expect(nextVersion(['v0.2.0'], 'feat!: a')).toBe('v0.3.0');
  });
});
