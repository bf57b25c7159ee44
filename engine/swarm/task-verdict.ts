import type { SwarmTask } from './types.js';

/**
 * Where a new service stands, from its tasks: what greenci waits on before the front proxy sends
 * it a request. Pure. A task whose container has a health check stays `starting` until Docker finds
 * it healthy, so `running` means healthy. Greenci does not wait for luck: one task that fails, is
 * rejected, exits, loses its node, or cannot be placed fails the release with Swarm's own words.
 */
export type TaskVerdict =
  | { kind: 'ready'; running: number }
  | { kind: 'starting'; running: number; desired: number; waiting: string }
  | { kind: 'failed'; reason: string };

/** Task states in Swarm's order, for saying how far the furthest-behind task got. */
export const TASK_STATES = [
  'new',
  'allocated',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
] as const;

/** Swarm's reason a task could not be placed (`no suitable node (scheduling constraints not satisfied on 1 node)`). */
const UNPLACEABLE = /no suitable node/i;

function where(t: SwarmTask, nodeName: (id: string) => string): string {
  const slot = t.Slot !== undefined ? `task ${t.Slot}` : `task ${t.ID.slice(0, 12)}`;
  return t.NodeID ? `${slot} on ${nodeName(t.NodeID)}` : slot;
}

function words(t: SwarmTask): string {
  const err = t.Status.Err?.trim();
  const msg = t.Status.Message?.trim();
  const code = t.Status.ContainerStatus?.ExitCode;
  const base = err || msg || t.Status.State;
  return code !== undefined && code !== 0 && !base.includes(String(code)) ? `${base} (exit code ${code})` : base;
}

export function taskVerdict(
  tasks: readonly SwarmTask[],
  desired: number,
  nodeName: (id: string) => string = (id) => id.slice(0, 12),
): TaskVerdict {
  for (const t of tasks) {
    const s = t.Status.State;
    if (s === 'failed' || s === 'rejected') return { kind: 'failed', reason: `${where(t, nodeName)} ${s}: ${words(t)}` };
    if (s === 'complete') return { kind: 'failed', reason: `${where(t, nodeName)} exited: ${words(t)}` };
    if (s === 'orphaned') return { kind: 'failed', reason: `${where(t, nodeName)} lost its node: ${words(t)}` };
    if (s === 'pending' && UNPLACEABLE.test(t.Status.Err ?? ''))
      return { kind: 'failed', reason: `cannot place ${where(t, nodeName)}: ${t.Status.Err}` };
  }
  const current = tasks.filter((t) => t.DesiredState === 'running');
  const running = current.filter((t) => t.Status.State === 'running').length;
  if (running >= desired) return { kind: 'ready', running };
  const behind = current.filter((t) => t.Status.State !== 'running');
  const states = [...new Set(behind.map((t) => t.Status.State))].sort(
    (a, b) => TASK_STATES.indexOf(a as never) - TASK_STATES.indexOf(b as never),
  );
  const missing = desired - current.length;
  const waiting = [states.length ? `${behind.length} ${states.join('/')}` : '', missing > 0 ? `${missing} not created yet` : '']
    .filter(Boolean)
    .join(', ');
  return { kind: 'starting', running, desired, waiting: waiting || 'tasks starting' };
}

/** A service's UpdateStatus (an in-place update: a database's new spec), as greenci reads it. */
export interface UpdateStatus {
  State?: string;
  Message?: string;
}

export type UpdateVerdict = { kind: 'done' } | { kind: 'updating' } | { kind: 'failed'; reason: string };

/**
 * An in-place update's outcome. Swarm's own automatic rollback ends `rollback_completed`: that is
 * a failed update (the old spec runs again), never a success; `paused` is Swarm giving up on it.
 * No status at all: the spec did not change tasks (nothing to wait for).
 */
export function updateVerdict(u: UpdateStatus | undefined): UpdateVerdict {
  const msg = u?.Message ? `: ${u.Message}` : '';
  switch (u?.State) {
    case undefined:
    case 'completed':
      return { kind: 'done' };
    case 'updating':
      return { kind: 'updating' };
    case 'paused':
      return { kind: 'failed', reason: `Swarm paused the update${msg}` };
    case 'rollback_started':
    case 'rollback_paused':
      return { kind: 'failed', reason: `Swarm is rolling the update back${msg}` };
    case 'rollback_completed':
      return { kind: 'failed', reason: `Swarm rolled the update back${msg}` };
    default:
      return { kind: 'failed', reason: `unknown update state ${u?.State}${msg}` };
  }
}
