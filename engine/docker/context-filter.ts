import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';

// a CommonJS module whose typings claim a default export; require() gets the factory itself
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as (options?: { ignorecase?: boolean }) => Ignore;

/**
 * Which files of a build context are left out of what greenci sends the engine: `.git`, and
 * whatever the context's `.dockerignore` says, with Docker's own semantics (the Dockerfile and
 * .dockerignore themselves are always sent, as Docker does).
 */
export function contextFilter(contextDir: string, dockerfile: string): (absolutePath: string) => boolean {
  const file = path.join(contextDir, '.dockerignore');
  const rules = existsSync(file) ? dockerignore().add(readFileSync(file, 'utf8').split(/\r?\n/)) : undefined;
  const always = new Set([path.normalize(dockerfile), '.dockerignore']);
  return (absolutePath) => {
    const rel = path.relative(contextDir, absolutePath);
    if (rel === '.git' || rel.startsWith(`.git${path.sep}`)) return true;
    if (!rules || rel === '' || always.has(rel)) return false;
    // a directory on the way to the Dockerfile is walked (its other files still follow the rules)
    if ([...always].some((keep) => keep.startsWith(rel + path.sep))) return false;
    return rules.ignores(rel.split(path.sep).join('/'));
  };
}
