import type { DockerEvent } from '../docker/port.js';
import { LABEL } from '../docker/names.js';
import type { StatsSample } from '../docker/stats.js';
import type { ContainerRow } from '../model.js';

/** What a Containers row shows, from Docker's answers (pure: the watcher does the asking). */

/** The parts of Docker's container inspect answer a row is made from. */
export interface InspectedContainer {
  Id: string;
  /** With Docker's leading slash: `/green-production-billing`. */
  Name: string;
  RestartCount?: number;
  Config: { Image: string; Labels?: Record<string, string> | null };
  State: { Status: string; ExitCode?: number; StartedAt?: string; FinishedAt?: string; Health?: { Status?: string } };
}

/** Docker's timestamp in ms; its zero time (`0001-01-01T00:00:00Z`: never happened) is undefined. */
export function dockerTime(s: string | undefined): number | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) && t > 0 ? t : undefined;
}

const HEALTH = new Set(['starting', 'healthy', 'unhealthy']);
/** States in which the last exit code says something (a created or running container has none of its own). */
const EXITED = new Set(['exited', 'dead', 'restarting']);

/** A row from an inspected container; `subject` is the commit subject of its build, looked up by the caller. */
export function containerRow(c: InspectedContainer, subject?: string): ContainerRow {
  const labels = c.Config.Labels ?? {};
  const build = Number(labels[LABEL.build]);
  const health = c.State.Health?.Status;
  return compact({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    project: labels[LABEL.project] ?? '',
    env: labels[LABEL.env] ?? '',
    service: labels[LABEL.service],
    role: labels[LABEL.role],
    image: c.Config.Image,
    release: labels[LABEL.release],
    build: labels[LABEL.build] && Number.isInteger(build) ? build : undefined,
    commit: labels[LABEL.commit],
    subject,
    state: c.State.Status,
    health: health && HEALTH.has(health) ? (health as ContainerRow['health']) : undefined,
    restarts: c.RestartCount ?? 0,
    startedAt: dockerTime(c.State.StartedAt),
    finishedAt: dockerTime(c.State.FinishedAt),
    exitCode: EXITED.has(c.State.Status) ? c.State.ExitCode : undefined,
  });
}

/**
 * Percent of one CPU (100 = one core busy) between two samples of the same container:
 * container CPU time delta / host CPU time delta × online CPUs × 100, to 0.1. Undefined without
 * an earlier sample, or when both were read at the same tick (no host time passed).
 */
export function cpuPercent(prev: StatsSample | undefined, next: StatsSample): number | undefined {
  if (!prev) return undefined;
  const system = next.systemCpu - prev.systemCpu;
  const used = next.cpuTotal - prev.cpuTotal;
  if (system <= 0 || used < 0) return undefined;
  return Math.round((used / system) * next.onlineCpus * 1000) / 10;
}

/** Memory in use as `docker stats` means it: usage without the page cache. */
export function memoryBytes(s: StatsSample): number {
  return Math.max(0, s.memUsage - s.memCache);
}

/** The row with its last resource figures (absent ones left out). */
export function withUsage(row: ContainerRow, u: { cpuPercent?: number; memBytes?: number; memLimitBytes?: number }): ContainerRow {
  return compact({ ...row, cpuPercent: u.cpuPercent, memBytes: u.memBytes, memLimitBytes: u.memLimitBytes });
}

/** A container's last resource figures, and the sample the next CPU figure is computed from. */
export interface Usage {
  sample?: StatsSample;
  cpuPercent?: number;
  memBytes?: number;
  memLimitBytes?: number;
}

/**
 * The figures after a new sample. CPU keeps its last value when the new sample was read at the
 * same Docker tick as the previous one (no time passed between them to measure over).
 */
export function nextUsage(prev: Usage, s: StatsSample): Usage {
  const cpu = cpuPercent(prev.sample, s);
  const sameTick = cpu === undefined && prev.sample !== undefined && s.systemCpu === prev.sample.systemCpu;
  return {
    sample: sameTick ? prev.sample : s,
    cpuPercent: cpu ?? prev.cpuPercent,
    memBytes: memoryBytes(s),
    memLimitBytes: s.memLimit || undefined,
  };
}

/** How `docker ps` shows that a row may have changed without an inspect: state and healthcheck status. */
export function listKey(c: { State: string; Status: string }): string {
  return `${c.State}|${/\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1] ?? ''}`;
}

/** Container events after which the inspect answer may differ (exec_*, top, attach, resize... never do). */
const CHANGES = new Set([
  'create',
  'start',
  'restart',
  'stop',
  'die',
  'kill',
  'oom',
  'pause',
  'unpause',
  'destroy',
  'rename',
  'update',
  'health_status',
]);

/** The container a Docker event says changed (`destroy`: it is gone), or undefined for events that change nothing a row shows. */
export function changedBy(e: DockerEvent): { id: string; gone: boolean } | undefined {
  const id = e.Actor?.ID;
  const action = (e.Action ?? '').split(':')[0];
  if (!id || (e.Type !== undefined && e.Type !== 'container') || !CHANGES.has(action)) return undefined;
  return { id, gone: action === 'destroy' };
}

/** Drops undefined fields, so rows compare (and serialise) the same however they were made. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Whether a container's `Config.Image` is an image id (greenci deploys by id) rather than a name. */
export const isImageId = (image: string): boolean => /^(sha256:)?[0-9a-f]{64}$/.test(image);

/**
 * The name to show for an image greenci deployed by id: the tag naming the container's release
 * (`billing:v0.2.0-prod`), else the first tag, else the short id.
 */
export function imageName(image: string, tags: string[], release?: string): string {
  if (!isImageId(image)) return image;
  const named = release ? tags.find((t) => t.slice(t.lastIndexOf(':') + 1).startsWith(`${release}-`)) : undefined;
  return named ?? tags[0] ?? image.replace(/^sha256:/, '').slice(0, 12);
}
