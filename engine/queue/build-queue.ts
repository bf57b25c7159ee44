import type { GreenciConfig } from '../../config/schema.js';
import { Cancellation, NotFoundError, UsageError } from '../errors.js';
import type { BuildRecord } from '../model.js';
import type { Recorder } from '../recorder.js';
import type { NewBuild } from '../store/builds.js';
import type { Store } from '../store/index.js';
import { pickNext, runningToCancel, type RunningBuild } from './policy.js';

/** Carries out one claimed build: the engine's pipeline runner. */
export type Execute = (buildId: number, signal: AbortSignal, drain: AbortSignal) => Promise<BuildRecord>;

interface ActiveBuild {
  id: number;
  project: string;
  branch: string;
  abort: AbortController;
  drain: AbortController;
  done: Promise<BuildRecord>;
}

export const SHUTDOWN_REASON = 'greenci is shutting down';

/**
 * The durable build queue. Queued builds are rows in SQLite (status `queued`, no runner); a
 * process that runs one first claims it with its runner mark, so two processes never run the
 * same build. A newer push of a branch supersedes its queued builds and (feature branches,
 * configurable) cancels its running one.
 */
export class BuildQueue {
  private readonly active = new Map<number, ActiveBuild>();
  private started = false;
  private draining = false;
  private timer?: NodeJS.Timeout;

  constructor(
    /** The queue owns the builds table's queue columns (`store`); every change others should see is announced through `recorder`. */
    private readonly o: { store: Store; recorder: Recorder; config: () => GreenciConfig; mark: string; execute: Execute; pollMs?: number },
  ) {}

  private get store(): Store {
    return this.o.store;
  }

  /** Stores a queued build (with `within` in the same transaction), supersedes and cancels older work of its branch, and wakes the queue. */
  enqueue(b: NewBuild, within?: (buildId: number) => void): BuildRecord {
    // the same commit already waiting or running: that build answers for this request too
    const same =
      b.requestedSha && /^[0-9a-f]{40}$/i.test(b.requestedSha)
        ? this.store.builds.pendingOfCommit(b.project, b.branch, b.requestedSha)
        : undefined;
    if (same) {
      if (within) this.store.db.transaction(() => within(same.id))();
      return same;
    }
    const id = this.store.db.transaction(() => {
      const created = this.store.builds.create({ ...b, runner: undefined });
      within?.(created);
      return created;
    })();
    this.admit(id);
    return this.store.builds.get(id)!;
  }

  /** Creates a build that this process runs at once, outside the queue (`greenci run`). */
  createClaimed(b: NewBuild): number {
    return this.store.builds.create({ ...b, runner: this.o.mark });
  }

  private admit(id: number): void {
    const b = this.o.recorder.build(id);
    for (const old of this.store.builds.queuedOfBranch(b.project, b.branch)) {
      if (old !== id && old < id && this.store.builds.supersede(old, id)) this.o.recorder.build(old);
    }
    const p = this.o.config().projects[b.project];
    const { cancelRunningFeatureBuilds } = this.o.config().queue;
    if (p) {
      for (const rid of runningToCancel({ project: b.project, branch: b.branch, sha: b.requestedSha }, this.running(), {
        productionBranch: p.productionBranch,
        cancelRunningFeatureBuilds,
      })) {
        if (rid < id)
          this.active.get(rid)?.abort.abort(new Cancellation('superseded', `superseded by #${id}, a newer commit of ${b.branch}`));
      }
    }
    this.pump();
  }

  /** Starts taking builds from the queue (the daemon). */
  start(): void {
    if (this.started) return;
    this.started = true;
    // builds queued by other processes (an in-process `greenci trigger`) are found by polling
    this.timer = setInterval(() => this.pump(), this.o.pollMs ?? 1000);
    this.pump();
  }

  /** Runs one queued build in this process now (no daemon): claims it, or says who has it. */
  runOne(id: number, signal?: AbortSignal): Promise<BuildRecord> {
    if (!this.store.builds.claim(id, this.o.mark)) {
      const b = this.store.builds.get(id);
      if (!b) throw new NotFoundError(`no build #${id}`);
      throw new UsageError(`build #${id} is ${b.status}${b.status === 'queued' ? ', taken by another greenci process' : ''}`);
    }
    return this.launch(id, signal);
  }

  /** Runs a build this process created claimed (createClaimed). */
  runClaimed(id: number, signal?: AbortSignal): Promise<BuildRecord> {
    return this.launch(id, signal);
  }

  /**
   * Cancels a build: a queued one at once; one this process runs through its signal (a
   * production change in progress still finishes); one another process runs by asking it
   * through the database (it polls every second).
   */
  cancel(id: number, by: string): BuildRecord {
    const b = this.store.builds.get(id);
    if (!b) throw new NotFoundError(`no build #${id}`);
    const reason = `cancelled by ${by}`;
    const mine = this.active.get(id);
    if (mine) mine.abort.abort(new Cancellation('cancelled', reason));
    else if (this.store.builds.cancelQueued(id, reason)) return this.o.recorder.build(id);
    else if (b.status === 'queued' || b.status === 'running') this.store.builds.requestCancel(id, by);
    else throw new UsageError(`build #${id} already ended: ${b.status}`);
    return this.o.recorder.build(id);
  }

  /** Builds this process runs now. */
  running(): RunningBuild[] {
    return [...this.active.values()].map((a) => {
      const b = this.store.builds.get(a.id);
      return { id: a.id, project: a.project, branch: a.branch, sha: b?.sha ?? b?.requestedSha };
    });
  }

  /** Resolves when a build this process runs ends (at once with the stored record if it is not running here). */
  async settled(id: number): Promise<BuildRecord | undefined> {
    const a = this.active.get(id);
    return a ? a.done : this.store.builds.get(id);
  }

  /**
   * Stops taking builds, lets each running stage finish within `graceMs`, then cancels what is
   * still running (a production change in progress is never cut). Builds stopped this way are
   * queued again, so the next start carries them out.
   */
  async drain(graceMs: number, onCancel?: (ids: number[]) => void): Promise<BuildRecord[]> {
    this.draining = true;
    this.stop();
    const stopping = [...this.active.values()];
    for (const a of stopping) a.drain.abort(new Cancellation('shutdown', SHUTDOWN_REASON));
    const all = Promise.all(stopping.map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (late) {
      const left = [...this.active.values()];
      onCancel?.(left.map((a) => a.id));
      for (const a of left) a.abort.abort(new Cancellation('shutdown', `${SHUTDOWN_REASON}; the grace period ran out`));
    }
    const ended = await all;
    const requeued: BuildRecord[] = [];
    for (const b of ended) {
      if (b.status === 'cancelled' && b.outcome === 'shutdown') {
        requeued.push(this.requeue(b, 'requeue'));
      }
    }
    return requeued;
  }

  /** A new queued build of the same commit (retry, re-queue after shutdown or crash). */
  requeue(b: BuildRecord, trigger: string, requestedBy?: string): BuildRecord {
    const stages = b.stages.map((s) => ({ name: s.name, title: s.title }));
    const id = this.store.builds.create({
      project: b.project,
      branch: b.branch,
      requestedSha: b.sha ?? b.requestedSha,
      refSlug: b.refSlug,
      trigger,
      requestedBy: requestedBy ?? b.requestedBy,
      stages,
      push: b.push,
      deliveryId: b.deliveryId,
      retryOf: b.id,
      // a build that promotes what another tested (greenci release) carries that along
      tested: b.stages.some((s) => s.name === 'build') ? undefined : this.store.builds.tested(b.id),
    });
    if (this.draining) return this.o.recorder.build(id);
    this.admit(id);
    return this.store.builds.get(id)!;
  }

  stop(): void {
    this.started = false;
    clearInterval(this.timer);
  }

  private pump(): void {
    if (!this.started || this.draining) return;
    const picks = pickNext(this.store.builds.queueHeads(), [...this.active.values()], this.o.config().queue.parallel);
    for (const id of picks) if (this.store.builds.claim(id, this.o.mark)) void this.launch(id);
  }

  private launch(id: number, signal?: AbortSignal): Promise<BuildRecord> {
    const b = this.store.builds.get(id)!;
    const abort = new AbortController();
    const drain = new AbortController();
    if (signal) {
      if (signal.aborted) abort.abort(signal.reason);
      else signal.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
    }
    // a cancel that another process asked for while this one was picking it up
    const poll = setInterval(() => {
      const again = this.store.builds.get(id);
      if (again?.cancelRequestedBy) abort.abort(new Cancellation('cancelled', `cancelled by ${again.cancelRequestedBy}`));
    }, this.o.pollMs ?? 1000);
    const done = this.o.execute(id, abort.signal, drain.signal).finally(() => {
      clearInterval(poll);
      this.active.delete(id);
      setImmediate(() => this.pump());
    });
    this.active.set(id, { id, project: b.project, branch: b.branch, abort, drain, done });
    return done;
  }
}
