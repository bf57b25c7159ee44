import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFilter } from '../../engine/docker/context-filter.js';

describe('what a build context sends', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-ctx-'));
  const at = (rel: string) => path.join(dir, rel);

  it('always leaves .git out, and everything else in when there is no .dockerignore', () => {
    const skip = contextFilter(dir, 'Dockerfile');
    expect([at('.git'), at('.git/config'), at('src/a.js'), at('.gitignore')].map(skip)).toEqual([true, true, false, false]);
  });

  it("follows .dockerignore with Docker's semantics, but still sends the Dockerfile and .dockerignore", () => {
    mkdirSync(at('docker'), { recursive: true });
    writeFileSync(at('.dockerignore'), '# local junk\nnode_modules\n*.log\n!keep.log\ndocker/\n**/*.tmp\n');
    const skip = contextFilter(dir, 'docker/Dockerfile');
    expect(skip(at('node_modules'))).toBe(true);
    expect(skip(at('node_modules/x/index.js'))).toBe(true);
    expect(skip(at('debug.log'))).toBe(true);
    expect(skip(at('keep.log'))).toBe(false);
    expect(skip(at('deep/dir/x.tmp'))).toBe(true);
    expect(skip(at('server.js'))).toBe(false);
    expect(skip(at('docker'))).toBe(false);
    expect(skip(at('docker/Dockerfile'))).toBe(false);
    expect(skip(at('docker/secrets.env'))).toBe(true);
    expect(skip(at('.dockerignore'))).toBe(false);
  });
});
