import type { SwarmNode } from '../docker/swarm-client.js';
import type { SwarmTask } from './types.js';

/**
 * The monitor's word on production when it runs on Swarm, from Swarm's own answers: a service with
 * fewer tasks running than it wants (saying where the others are and why), one whose tasks failed
 * since the last look (Swarm restarted them), a node that is not ready. Pure; the same shape as
 * containerVerdict: `ok: undefined` while tasks start (no verdict), `detail` in Swarm's words.
 */
export interface SwarmVerdict {
  ok: boolean | undefined;
  detail?: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A service's tasks now. `failedBefore`: how many of its tasks had failed at the last look (the
 * ids), so only new failures count; pass what `failedTaskIds` returned then.
 */
export function serviceTasksVerdict(
  tasks: readonly SwarmTask[],
  desired: number,
  nodeName: (id: string) => string,
  failedBefore: ReadonlySet<string> | undefined,
): SwarmVerdict {
  const current = tasks.filter((t) => t.DesiredState === 'running');
  const running = current.filter((t) => t.Status.State === 'running').length;
  const fresh = failedTaskIds(tasks).filter((id) => failedBefore && !failedBefore.has(id));
  if (running < desired) {
    const starting = current.filter((t) =>
      ['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting'].includes(t.Status.State),
    );
    const lastFailure = [...tasks]
      .filter((t) => t.Status.State === 'failed' || t.Status.State === 'rejected' || t.Status.State === 'orphaned')
      .sort((a, b) => (b.Status.Timestamp ?? '').localeCompare(a.Status.Timestamp ?? ''))[0];
    const why = lastFailure
      ? `; last: task ${lastFailure.Slot ?? '?'}${lastFailure.NodeID ? ` on ${nodeName(lastFailure.NodeID)}` : ''} ${lastFailure.Status.State}: ${lastFailure.Status.Err ?? lastFailure.Status.Message ?? ''}`.trimEnd()
      : '';
    // only starting (a new release, Swarm replacing a task) and nothing failed: no verdict yet
    if (!lastFailure && starting.length + running >= desired)
      return { ok: undefined, detail: `${running} of ${desired} tasks running, ${starting.length} starting` };
    return { ok: false, detail: `${running} of ${plural(desired, 'task')} running${why}` };
  }
  if (fresh.length)
    return {
      ok: false,
      detail: `${plural(fresh.length, 'task')} failed since the last check; Swarm started ${fresh.length === 1 ? 'another' : 'others'}`,
    };
  return { ok: true };
}

/** The ids of a service's tasks that failed (what the next look compares with). */
export function failedTaskIds(tasks: readonly SwarmTask[]): string[] {
  return tasks.filter((t) => t.Status.State === 'failed' || t.Status.State === 'rejected').map((t) => t.ID);
}

/** A node: down (or disconnected) is a failure; drained or paused by an operator is said, not alerted. */
export function nodeVerdict(node: SwarmNode): SwarmVerdict {
  if (node.state !== 'ready') return { ok: false, detail: `${node.hostname} (${node.role}) is ${node.state}` };
  if (node.availability !== 'active') return { ok: true, detail: `${node.hostname} is set to ${node.availability}: it takes no new tasks` };
  return { ok: true };
}
