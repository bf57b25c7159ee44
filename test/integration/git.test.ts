import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepoCache } from '../../engine/git/repo.js';
import { Origin, tempDir } from '../helpers/origin.js';

describe('the repository cache (real git, a bare repository for origin)', () => {
  let origin: Origin;
  const data = tempDir('greenci-git-');
  const cache = (token?: string) =>
    new RepoCache({
      cacheDir: path.join(data, `c-${token ?? 'none'}.git`),
      remote: origin.bare,
      token,
      author: { name: 'greenci', email: 'ci@x' },
    });

  beforeAll(async () => {
    origin = await Origin.create({ prodPorts: { billing: 1, weight: 2 } });
  });
  afterAll(() => {
    origin.cleanup();
    rmSync(data, { recursive: true, force: true });
  });

  it('works with a token configured (passed through the environment, never argv)', async () => {
    const repo = cache('s3cret');
    await repo.sync();
    const head = await repo.branchHead('master');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect((await repo.commitInfo(head)).subject).toBe('feat: the Green project');
  });

  it('sees new pushes and deleted branches on the next sync', async () => {
    const repo = cache();
    await origin.checkoutNewBranch('feature/x');
    const sha = await origin.commitAll('feat: x');
    await origin.push('feature/x');
    await repo.sync();
    expect(await repo.branchHead('feature/x')).toBe(sha);
    await expect(repo.branchHead('feature/none')).rejects.toThrow('no branch "feature/none" in the repository');
    await expect(repo.resolveCommit('0123456789abcdef0123')).rejects.toThrow('commit 0123456789abcdef0123 is not in the repository');
    await origin.checkout('master');
  });

  it('pushes a release tag, pushes it again after an unrecorded success, and refuses to move it', async () => {
    const repo = cache('tags');
    await repo.sync();
    const head = await repo.branchHead('master');
    await repo.tagAndPush('v0.1.0', head, 'release');
    expect(await origin.remoteTags()).toEqual(['v0.1.0']);
    await repo.sync();
    await repo.tagAndPush('v0.1.0', head, 'release'); // the retry after a crash between push and record
    const other = await repo.branchHead('feature/x');
    await expect(repo.tagAndPush('v0.1.0', other, 'release')).rejects.toThrow(/tag v0\.1\.0 already exists on another commit/);
    expect(await origin.tagTarget('v0.1.0')).toBe(head);
    // what the tag retry asks origin: the commit an (annotated) tag points at, or nothing
    expect(await repo.remoteTagTarget('v0.1.0')).toBe(head);
    expect(await repo.remoteTagTarget('v9.9.9')).toBeUndefined();
  });
});
