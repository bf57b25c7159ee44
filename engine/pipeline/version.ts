import semver from 'semver';

/**
 * The release version bump rule (conventional commits, read from the head commit's message):
 *   - `BREAKING CHANGE` in the body, or a `type!:` subject → major;
 *   - a `feat:` / `feat(scope):` subject → minor;
 *   - anything else → patch.
 * Versions before 1.0.0 bump minor for breaking changes (semver's 0.x convention).
 * The first release is v0.1.0. Existing versions are the repository's `v*` tags plus the releases
 * greenci recorded (whose tag may not have reached origin); the highest valid one is the base.
 */
export type Bump = 'major' | 'minor' | 'patch';

export function bumpFor(message: string): Bump {
  const subject = message.split('\n')[0] ?? '';
  if (/^[a-z]+(\([^)]*\))?!:/i.test(subject) || /^BREAKING[ -]CHANGE:/m.test(message)) return 'major';
  if (/^feat(\([^)]*\))?:/i.test(subject)) return 'minor';
  return 'patch';
}

export const FIRST_VERSION = 'v0.1.0';

/** The next `vX.Y.Z` after every existing version, for a commit with this message. */
export function nextVersion(existing: readonly string[], message: string): string {
  const versions = existing
    .filter((v) => /^v\d/.test(v))
    .map((v) => semver.valid(v.slice(1)))
    .filter((v): v is string => v !== null);
  if (!versions.length) return FIRST_VERSION;
  const highest = semver.rsort(versions)[0];
  let bump = bumpFor(message);
  if (bump === 'major' && semver.major(highest) === 0) bump = 'minor';
  return `v${semver.inc(highest, bump)}`;
}
