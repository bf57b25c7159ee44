import { sameCommit } from './policy.js';

/** Reconciliation's decision, pure: which watched branches moved past their last build. */

export interface BranchState {
  branch: string;
  /** The remote head now. */
  head?: string;
  /** The commit the newest build of the branch was for (requested or resolved). */
  lastBuilt?: string;
}

/**
 * Watched branches whose remote head is not the commit last built: a push greenci never heard
 * of. A branch never built is left alone (a fresh install does not release master on its own;
 * its first build comes from a push or a trigger), and so is a deleted one.
 */
export function missedPushes(states: BranchState[]): { branch: string; sha: string }[] {
  return states.filter((s) => s.head && s.lastBuilt && !sameCommit(s.head, s.lastBuilt)).map((s) => ({ branch: s.branch, sha: s.head! }));
}
