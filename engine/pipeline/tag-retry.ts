/**
 * When greenci tries again to push a release tag origin has not got (the push failed, or greenci
 * died before it). Pure: the rounds come from reconciliation's schedule, the pushes from tag-push.ts.
 */

/** One release tag's failed pushes as the rounds see them (kept in memory: a start tries every tag at once). */
export interface TagRetryState {
  /** Failed pushes in a row. */
  failures: number;
  /** Rounds let pass since the last failure. */
  waited: number;
  /** Set when trying again cannot help (origin has the tag on another commit): why. */
  stuck?: string;
}

/** At most this many rounds are let pass between two tries. */
export const MAX_ROUNDS_WAITED = 7;

/**
 * Rounds to let pass after `failures` failed pushes in a row: 0, 1, 3, then 7. On the default
 * reconciliation schedule (every 2 minutes) a tag is tried again after 4, 8, then every 16 minutes.
 */
export function roundsToWait(failures: number): number {
  return Math.min(2 ** failures - 1, MAX_ROUNDS_WAITED);
}

/** Whether this round tries the tag, and its state after the decision (a round let pass is counted). */
export function tagRound(state: TagRetryState | undefined): { attempt: boolean; state?: TagRetryState } {
  if (!state) return { attempt: true };
  if (state.stuck) return { attempt: false, state };
  if (state.waited >= roundsToWait(state.failures)) return { attempt: true, state };
  return { attempt: false, state: { ...state, waited: state.waited + 1 } };
}

/** The state after a failed push; `stuck` when no later try can work. */
export function afterFailure(state: TagRetryState | undefined, stuck?: string): TagRetryState {
  return { failures: (state?.failures ?? 0) + 1, waited: 0, stuck };
}

/** Why a tag can never be pushed as it is: origin holds it on another commit (greenci never moves a tag). */
export function tagConflict(version: string, sha: string, originHas: string | undefined): string | undefined {
  if (!originHas || originHas === sha) return undefined;
  return `origin has ${version} on another commit (${originHas.slice(0, 12)}, not ${sha.slice(0, 12)}); greenci never moves a tag: delete it there or push the tag by hand`;
}

/** What a build whose release went live says when its tag could not be pushed. */
export function tagPendingNote(why: string): string {
  return `its git tag could not be pushed (${why}); greenci pushes it again on its own (greenci releases says when)`;
}
