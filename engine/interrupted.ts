/** What a build left `queued`/`running` by a process that died becomes at the next start. Pure. */

export interface InterruptedBuild {
  trigger: string;
  /** The dead process's pid. */
  pid: string;
  /** The stage it was in. */
  stage?: string;
  /** The branch has a newer build already. */
  newer: boolean;
  /** Its project is still in the config. */
  known: boolean;
  /** The release it put into production before the process died. */
  released?: { version: string; tagPushed: boolean };
}

export type InterruptedOutcome =
  | { status: 'success'; reason: string; requeue: false }
  | { status: 'failed'; reason: string; requeue: boolean };

/**
 * A build whose release went live is recorded as the success it was for production (its version
 * live), with a reason saying it was interrupted and whether its tag still has to be pushed; it is
 * not built again. Any other is failed and queued again once, unless the branch has a newer build,
 * the project left the config, or the build was itself a recovery or a `greenci release`. A build
 * queued again this way is built and tested but not promoted (engine/pipeline/promotion.ts).
 */
export function interruptedOutcome(b: InterruptedBuild): InterruptedOutcome {
  const stopped = `interrupted: the greenci process running it (pid ${b.pid}) stopped${b.stage ? ` during ${b.stage}` : ''}`;
  if (b.released) {
    const { version, tagPushed } = b.released;
    const tag = tagPushed
      ? 'and its git tag was pushed'
      : 'but its git tag was not pushed then; greenci pushes it on its own (greenci releases says when)';
    return { status: 'success', requeue: false, reason: `${stopped}, after ${version} went live in production, ${tag}` };
  }
  // a `greenci release` is the operator's to ask again: greenci does not release on its own behalf
  const requeue = b.trigger !== 'recovery' && b.trigger !== 'release' && !b.newer && b.known;
  return {
    status: 'failed',
    requeue,
    reason: `${stopped}; ${requeue ? 're-queued' : b.newer ? 'a newer build of the branch replaces it' : 'not re-queued'}`,
  };
}
