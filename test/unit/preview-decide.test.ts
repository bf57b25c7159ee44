import { describe, expect, it } from 'vitest';
import type { PreviewRecord } from '../../engine/model.js';
import { pickPorts, previewEnvKey, previewsToEvict } from '../../engine/preview/decide.js';

const preview = (branch: string, createdAt: number, ports: Record<string, number> = {}): PreviewRecord => ({
  project: 'green',
  branch,
  envKey: previewEnvKey(branch),
  buildId: 1,
  sha: 'a'.repeat(40),
  ports,
  state: 'live',
  createdAt,
  updatedAt: createdAt,
});

describe('a preview environment', () => {
  it('is named for people from its branch, and two branches whose names read alike still get two', () => {
    expect(previewEnvKey('feature/Login')).toMatch(/^preview-feature-login-[0-9a-f]{6}$/);
    expect(previewEnvKey('pr:12')).toMatch(/^preview-pr-12-[0-9a-f]{6}$/);
    expect(previewEnvKey('Fix/A')).not.toBe(previewEnvKey('fix-a'));
    expect(previewEnvKey('feature/Login')).toBe(previewEnvKey('feature/Login'));
    // a long or odd name stays a short Docker name: no leading or trailing dash, 24 characters of slug at most
    const long = previewEnvKey(`${'x'.repeat(23)}/--/${'y'.repeat(200)}`);
    expect(long).toMatch(/^preview-x{23}-[0-9a-f]{6}$/);
    expect(previewEnvKey('/// ')).toMatch(/^preview-[0-9a-f]{6}$/);
  });

  it('takes the lowest free ports of the range, keeps the ones it had, and says when the range is full', () => {
    const range = { from: 20100, to: 20103 };
    expect(pickPorts(['billing', 'weight'], range, new Set())).toEqual({ billing: 20100, weight: 20101 });
    expect(pickPorts(['billing', 'weight'], range, new Set([20100, 20102]))).toEqual({ billing: 20101, weight: 20103 });
    // its own ports again: the branch's addresses stay the same from build to build
    expect(pickPorts(['billing', 'weight'], range, new Set([20100]), { billing: 20103, weight: 20102 })).toEqual({
      billing: 20103,
      weight: 20102,
    });
    // one it had is someone else's now, or outside a range that changed: that app gets a new one
    expect(pickPorts(['billing', 'weight'], range, new Set([20103]), { billing: 20103, weight: 9999 })).toEqual({
      billing: 20100,
      weight: 20101,
    });
    expect(pickPorts(['billing', 'weight'], range, new Set([20100, 20101, 20102]))).toBeUndefined();
  });

  it('past the limit, the ones deployed first give way; a branch that has one replaces it and takes no new place', () => {
    const live = [preview('c', 30), preview('a', 10), preview('b', 20)];
    expect(previewsToEvict(live, 'd', 3).map((p) => p.branch)).toEqual(['a']);
    expect(previewsToEvict(live, 'd', 2).map((p) => p.branch)).toEqual(['a', 'b']);
    expect(previewsToEvict(live, 'd', 4)).toEqual([]);
    expect(previewsToEvict(live, 'b', 3)).toEqual([]);
    expect(previewsToEvict([], 'a', 1)).toEqual([]);
  });
});
