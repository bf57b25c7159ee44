import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built command runs by itself (its shebang and mode), as `npx greenci` and a global install run it. */
describe('the built greenci command', () => {
  it('dist/src/bin.js is executable and answers --help (built by npm install / npm ci)', async () => {
    const { stdout } = await promisify(execFile)(path.join(ROOT, 'dist', 'src', 'bin.js'), ['--help'], { cwd: ROOT });
    expect(stdout).toMatch(/^greenci: CI\/CD for one Docker host/);
    expect(stdout).toMatch(/greenci health \[--history N\]/);
  });
});
