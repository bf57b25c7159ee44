import { createHash } from 'node:crypto';

/** Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Longest slug we produce; leaves room for `-production` and stays readable. */
const MAX_SLUG = 60;

/**
 * Turns any git ref (a branch name may hold `/`, `$(…)`, `;`, unicode, 200+ characters) into a
 * lower-case Docker-tag-safe slug: `feature/123` → `feature-123`. Accents are folded
 * (`fëature` → `feature`); anything else outside [a-z0-9._-] becomes `-`. A ref that had to be
 * cut short, or that leaves nothing readable, gets 8 hex characters of its SHA-256 so distinct
 * refs stay distinct.
 */
export function slugRef(ref: string): string {
  const folded = ref
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  let slug = folded
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  const hash = createHash('sha256').update(ref).digest('hex').slice(0, 8);
  if (slug.length === 0) return `ref-${hash}`;
  if (slug.length > MAX_SLUG) slug = `${slug.slice(0, MAX_SLUG - 9).replace(/[.-]+$/, '')}-${hash}`;
  return slug;
}

/** `<prefix><app>:<slug>-test` for a build of a branch. */
export function testImageRef(prefix: string, app: string, ref: string): string {
  return `${prefix}${app}:${slugRef(ref)}-test`;
}

/** `<prefix><app>:<version>-prod` for a release, e.g. `billing:v0.1.0-prod`. */
export function prodImageRef(prefix: string, app: string, version: string): string {
  return `${prefix}${app}:${version}-prod`;
}

/** Splits `repo:tag` (a registry port's colon is not a tag separator). */
export function splitImageRef(ref: string): { repo: string; tag: string } {
  const i = ref.lastIndexOf(':');
  if (i <= ref.lastIndexOf('/')) return { repo: ref, tag: 'latest' };
  return { repo: ref.slice(0, i), tag: ref.slice(i + 1) };
}
