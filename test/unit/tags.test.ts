import { describe, expect, it } from 'vitest';
import { DOCKER_TAG, prodImageRef, slugRef, splitImageRef, testImageRef } from '../../engine/docker/tags.js';

describe('slugRef: any branch name becomes a valid, readable Docker tag', () => {
  it.each([
    ['master', 'master'],
    ['feature-123', 'feature-123'],
    ['feature/123', 'feature-123'],
    ['Feature/ABC_1.2', 'feature-abc_1.2'],
    ['fëature/ünïcode', 'feature-unicode'],
    ['$(touch /tmp/pwned)', 'touch-tmp-pwned'],
    ['a;rm -rf ~', 'a-rm-rf'],
    ['..hidden..', 'hidden'],
  ])('%s → %s', (ref, slug) => {
    expect(slugRef(ref)).toBe(slug);
  });

  it('names with nothing readable get a stable hash', () => {
    expect(slugRef('ブランチ')).toMatch(/^ref-[0-9a-f]{8}$/);
    expect(slugRef('ブランチ')).toBe(slugRef('ブランチ'));
    expect(slugRef('ブランチ')).not.toBe(slugRef('分支'));
  });

  it('long names are cut and keep distinct hashes', () => {
    const a = `feature/${'x'.repeat(200)}-a`;
    const b = `feature/${'x'.repeat(200)}-b`;
    expect(slugRef(a).length).toBeLessThanOrEqual(60);
    expect(slugRef(a)).toMatch(/^feature-x+-[0-9a-f]{8}$/);
    expect(slugRef(a)).not.toBe(slugRef(b));
  });

  it('every slug of hostile input makes a valid tag in both environments', () => {
    const hostile = [
      '$(reboot)',
      '`id`',
      'a;b|c&d',
      'quote\'"',
      'tab\tnew\nline',
      '-leading',
      '.dot',
      'ü'.repeat(300),
      '💥',
      '../../etc/passwd',
      ' ',
    ];
    for (const ref of hostile) {
      const tag = splitImageRef(testImageRef('', 'billing', ref)).tag;
      expect(tag, ref).toMatch(DOCKER_TAG);
      expect(splitImageRef(prodImageRef('p-', 'billing', 'v1.2.3')).tag).toMatch(DOCKER_TAG);
    }
  });

  it('builds the design names', () => {
    expect(testImageRef('', 'weight', 'feature-123')).toBe('weight:feature-123-test');
    expect(prodImageRef('', 'billing', 'v1.0.0')).toBe('billing:v1.0.0-prod');
    expect(splitImageRef('localhost:5000/billing:v1')).toEqual({ repo: 'localhost:5000/billing', tag: 'v1' });
    expect(splitImageRef('localhost:5000/billing')).toEqual({ repo: 'localhost:5000/billing', tag: 'latest' });
  });
});
