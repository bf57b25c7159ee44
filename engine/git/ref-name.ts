/**
 * Whether git would accept a name as a branch (`git check-ref-format --branch`), decided in
 * process: the webhook intake checks every pushed branch, and spawning git per delivery was
 * half of the daemon's time under load. The rules are git-check-ref-format(1)'s, applied to
 * `refs/heads/<name>`; a unit test holds them against the real git for a corpus of names.
 */
export function isValidBranchName(name: string): boolean {
  if (name === '' || name === 'HEAD' || name.startsWith('-')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return false;
  if (name.endsWith('.') || name.includes('..') || name.includes('@{')) return false;
  // control characters, DEL, space and ~ ^ : ? * [ \
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Unicode's bidirectional controls (ALM, LRM, RLM, LRE…RLO, LRI…PDI): they make text display in another order than it reads. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Whether a name carries a bidirectional control. git accepts them, but a branch named with
 * U+202E (right-to-left override) displays as another name in the console, logs and email
 * ("feature-\u202Egnp.exe" reads "feature-exe.png"), so greenci refuses such refs.
 */
export function hasBidiControl(name: string): boolean {
  return BIDI_CONTROL.test(name);
}

/**
 * A pull request's head as greenci builds it when it lives in a fork: `pr:<number>`, fetched from
 * the base repository's `refs/pull/<number>/head`. git refuses `:` in branch names, so no real
 * branch can ever be taken for it.
 */
export const pullRequestBranch = (n: number): string => `pr:${n}`;

/** The pull request number of a `pr:<number>` build, else undefined. */
export function pullRequestOf(branch: string): number | undefined {
  const m = /^pr:([1-9]\d{0,9})$/.exec(branch);
  return m ? Number(m[1]) : undefined;
}
