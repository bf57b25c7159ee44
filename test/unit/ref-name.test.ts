import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hasBidiControl, isValidBranchName } from '../../engine/git/ref-name.js';

/** What the real git says: the rules must agree with it for every name. */
function gitAccepts(name: string): boolean {
  try {
    // outside any repository: inside one, git resolves @{-1} to the branch checked out before
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore', cwd: tmpdir() });
    return true;
  } catch {
    return false;
  }
}

const CORPUS = [
  'master',
  'feature/x',
  'feature-123',
  'ünïcödé/ブランチ',
  'a.lock.b',
  'v1.2',
  'release/2024.01',
  '@',
  'a@b',
  'x'.repeat(200),
  'HEAD',
  '-x',
  'a/.b',
  '.a',
  'a.lock',
  'a/b.lock',
  'x.lock/y',
  'a..b',
  'a b',
  'a\tb',
  'a/',
  '/a',
  'a//b',
  'a.',
  'a/b.',
  'a@{b',
  '@{-1}',
  'a\\b',
  'a~1',
  'a^',
  'a:b',
  'a?',
  'a*',
  'a[b',
  'a\x7f',
  'a\x01b',
  '$(touch$IFS/tmp/x)',
  'x;id|true&&`id`',
  "it's",
  'a"b',
];

describe('branch names, checked in process as git checks them', () => {
  it('agrees with git check-ref-format --branch on every name of the corpus', () => {
    const disagreements = CORPUS.filter((n) => isValidBranchName(n) !== gitAccepts(n));
    expect(disagreements).toEqual([]);
  });

  it('refuses what a hostile push could carry in a ref: spaces, control characters, .., shell-looking names with spaces', () => {
    for (const bad of ['a b', 'x\ny', '../etc', 'a..b', '-rf', 'HEAD']) expect(isValidBranchName(bad), bad).toBe(false);
  });

  it('finds the bidirectional controls git accepts but that make a branch display as another name', () => {
    // git itself takes a right-to-left override in a branch name
    expect(gitAccepts('feature-\u202Egnp.exe')).toBe(true);
    for (const bad of ['feature-\u202Egnp.exe', 'a\u200Fb', 'x\u2066y\u2069', 'a\u061Cb', 'a\u202Ab'])
      expect(hasBidiControl(bad), JSON.stringify(bad)).toBe(true);
    for (const good of ['master', 'ünïcödé/ブランチ', 'עברית/ענף', 'release/2024.01']) expect(hasBidiControl(good), good).toBe(false);
  });
});
