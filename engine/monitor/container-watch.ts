import { setMaxListeners } from 'node:events';
import type { DockerEvent, DockerPort } from '../docker/port.js';
import { LABEL } from '../docker/names.js';
import { describeError } from '../errors.js';
import type { EngineEvent } from '../events.js';
import type { ContainerRow, DockerState } from '../model.js';
import { RoundLoop } from '../round-loop.js';
import { changedBy, containerRow, imageName, isImageId, listKey, nextUsage, withUsage, type Usage } from './container-row.js';
import { keepEventsOpen, type EventFeed } from './event-feed.js';

export type ContainersEvent = Extract<EngineEvent, { type: 'containers' }>;

export interface ContainerWatchOptions {
  docker: Pick<DockerPort, 'listContainers' | 'inspectContainer' | 'containerStats' | 'events' | 'imageTags'>;
  /** The commit subject of a build id (asked once per build while it has one). */
  subject(buildId: number): string | undefined;
  emit(e: ContainersEvent): void;
  /** Stats period and the shortest gap between two emits (default 1000 ms). */
  intervalMs?: number;
  /** Shortest gap between two re-lists that Docker events ask for (default 250 ms: at most 4 a second). */
  relistGapMs?: number;
  /** Re-list this often even when no event came, in case one was missed (default 10 s). */
  fallbackListMs?: number;
  /** Wait before retrying an unreachable Docker: doubles from min to max (default 1 s … 30 s). */
  backoffMs?: { min: number; max: number };
}

interface Tracked {
  row: ContainerRow;
  /** What the list said when the row was made: a different answer means inspect again. */
  key: string;
  usage: Usage;
}

/**
 * Keeps the rows of every greenci-managed container current while started: Docker's event stream
 * says when to list again (throttled), inspects run only for containers that changed, stats of
 * running ones are sampled about once a second (a slow round makes the next one skip, never
 * overlap), and a `containers` event goes out at most about once a second, only when a row or
 * Docker's reachability changed. An unreachable Docker is announced once, then retried with backoff.
 */
export class ContainerWatcher {
  private readonly tracked = new Map<string, Tracked>();
  private readonly dirty = new Set<string>();
  private readonly subjects = new Map<number, string>();
  private readonly imageTags = new Map<string, string[]>();
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly o: Required<Omit<ContainerWatchOptions, 'docker' | 'subject' | 'emit'>>;
  private dockerState?: DockerState;
  /** Lists one at a time, at least the relist gap apart; a failed list (Docker unreachable) is retried after its backoff. */
  private readonly lists: RoundLoop<number | undefined>;
  private backoff = 0;
  private sampling?: Promise<void>;
  private events?: EventFeed;
  private emitTimer?: NodeJS.Timeout;
  private lastEmitted = '';
  private lastEmitAt = 0;
  /** Figures for the curious (tests, benchmarks): stats rounds taken and skipped, the last round's duration. */
  readonly stats = { rounds: 0, skipped: 0, lastRoundMs: 0, lists: 0, inspects: 0 };

  constructor(private readonly opts: ContainerWatchOptions) {
    this.o = {
      intervalMs: opts.intervalMs ?? 1000,
      relistGapMs: opts.relistGapMs ?? 250,
      fallbackListMs: opts.fallbackListMs ?? 10_000,
      backoffMs: opts.backoffMs ?? { min: 1000, max: 30_000 },
    };
    this.lists = new RoundLoop({
      // an unexpected failure (not Docker's: that is `unreachable`) must not end the watcher: retry
      run: () => this.list().catch(() => this.o.backoffMs.min),
      gapMs: this.o.relistGapMs,
      retryAfter: (retryMs) => retryMs,
    });
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  start(): void {
    if (this.events || this.stopped) return;
    this.events = keepEventsOpen({
      docker: this.opts.docker,
      filters: { type: ['container'], label: [LABEL.project] },
      signal: this.abort.signal,
      onEvent: (e) => this.onEvent(e),
      onOpen: () => this.requestList(0), // whatever happened while nobody listened
      onDown: () => this.requestList(),
      backoffMs: this.o.backoffMs,
    });
    this.requestList(0);
    this.every(this.o.intervalMs, () => this.sampleRound());
    this.every(this.o.fallbackListMs, () => this.dockerState?.reachable && this.requestList());
  }

  /** Stops every loop and timer; resolves when requests in flight have ended. Emits nothing after. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t), clearInterval(t);
    this.timers.clear();
    const listing = this.lists.stop();
    clearTimeout(this.emitTimer);
    await Promise.allSettled([this.events?.done, listing, this.sampling]);
  }

  private every(ms: number, fn: () => unknown): void {
    const t = setInterval(fn, ms);
    this.timers.add(t);
  }

  /** Lists again soon: at once if the last list was long enough ago, else after the gap; never two at a time. */
  private requestList(gapMs = this.o.relistGapMs): void {
    if (this.stopped) return;
    void this.lists.request('list', gapMs);
  }

  /** Lists, inspects what changed; resolves with when to try again if Docker did not answer. */
  private async list(): Promise<number | undefined> {
    this.stats.lists++;
    let listed: Awaited<ReturnType<DockerPort['listContainers']>>;
    try {
      listed = await this.opts.docker.listContainers([LABEL.project]);
    } catch (err) {
      return this.unreachable(err);
    }
    if (this.stopped) return;
    this.reachable();
    const seen = new Set(listed.map((c) => c.Id));
    for (const id of this.tracked.keys()) if (!seen.has(id)) this.tracked.delete(id);
    const changed = listed.filter((c) => this.dirty.has(c.Id) || this.tracked.get(c.Id)?.key !== listKey(c));
    for (const c of changed) this.dirty.delete(c.Id);
    this.stats.inspects += changed.length;
    const answers = await Promise.all(
      changed.map((c) => this.opts.docker.inspectContainer(c.Id).catch(() => (this.dirty.add(c.Id), null))),
    );
    if (this.stopped) return;
    await this.learnImageTags(answers.map((a) => a?.Config.Image).filter((i): i is string => !!i && isImageId(i)));
    if (this.stopped) return;
    for (const [i, c] of changed.entries()) {
      const info = answers[i];
      if (info === null) continue; // failed: marked dirty, tried again next list
      if (!info) {
        this.tracked.delete(c.Id);
        continue;
      }
      const row = containerRow(info, this.subjectOf(info.Config.Labels?.[LABEL.build]));
      row.image = imageName(row.image, this.imageTags.get(row.image) ?? [], row.release);
      const before = this.tracked.get(c.Id);
      const keep = row.state === 'running' && before?.row.state === 'running' && before.row.startedAt === row.startedAt;
      this.tracked.set(c.Id, { row, key: listKey(c), usage: keep ? before.usage : {} });
    }
    this.changed();
  }

  /** Tags of images deployed by id, asked again whenever a container on them changed (promotion adds a tag to the same image). */
  private async learnImageTags(ids: string[]): Promise<void> {
    const unknown = [...new Set(ids)];
    const tags = await Promise.all(unknown.map((id) => this.opts.docker.imageTags(id).catch(() => [])));
    for (const [i, id] of unknown.entries()) this.imageTags.set(id, tags[i]);
  }

  private subjectOf(label: string | undefined): string | undefined {
    const id = Number(label);
    if (!label || !Number.isInteger(id)) return undefined;
    let s = this.subjects.get(id);
    if (s === undefined) {
      s = this.opts.subject(id);
      if (s !== undefined) this.subjects.set(id, s);
    }
    return s;
  }

  /** One stats sample of every running container, in parallel; skipped while the last round still runs. */
  private sampleRound(): void {
    if (this.stopped || !this.dockerState?.reachable) return;
    if (this.sampling) return void this.stats.skipped++;
    if (!this.events?.up && Date.now() - this.lists.lastStartAt >= this.o.intervalMs) this.requestList(); // no events: list each tick instead
    const running = [...this.tracked.entries()].filter(([, t]) => t.row.state === 'running').map(([id]) => id);
    if (!running.length) return;
    const started = Date.now();
    // one signal per round: stop() or a Docker that hangs ends the round (no listener piles up on a long-lived signal)
    const round = new AbortController();
    setMaxListeners(0, round.signal);
    const onStop = () => round.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    const timeout = setTimeout(() => round.abort(), Math.max(5000, this.o.intervalMs * 5));
    this.timers.add(timeout);
    const signal = round.signal;
    this.sampling = Promise.all(
      running.map(async (id) => {
        const s = await this.opts.docker.containerStats(id, signal).catch(() => undefined);
        if (!s) return void this.dirty.add(id); // gone or stopped: the next list says which
        const t = this.tracked.get(id); // the row as it is now (a list may have replaced it meanwhile)
        if (t?.row.state === 'running') t.usage = nextUsage(t.usage, s);
      }),
    ).then(() => {
      clearTimeout(timeout);
      this.timers.delete(timeout);
      this.abort.signal.removeEventListener('abort', onStop);
      this.sampling = undefined;
      this.stats.rounds++;
      this.stats.lastRoundMs = Date.now() - started;
      if (this.dirty.size) this.requestList();
      this.changed();
    });
  }

  private onEvent(e: DockerEvent): void {
    const c = changedBy(e);
    if (!c) return;
    this.dirty.add(c.id);
    if (c.gone && this.tracked.delete(c.id)) this.changed();
    this.requestList();
  }

  private reachable(): void {
    this.backoff = 0;
    if (this.dockerState?.reachable) return;
    const wasDown = this.dockerState !== undefined;
    this.dockerState = { reachable: true, since: Date.now() };
    if (wasDown) this.events?.wake(); // reconnect the event stream now rather than after its backoff
    // announced with the rows, once the list that found Docker again is done
  }

  /** Announces (once) that Docker does not answer; returns how long to wait before listing again. */
  private unreachable(err: unknown): number | undefined {
    if (this.stopped) return undefined;
    if (this.dockerState?.reachable !== false) {
      this.dockerState = { reachable: false, since: Date.now(), detail: describeError(err) };
      this.changed();
    }
    this.backoff = Math.min(this.backoff ? this.backoff * 2 : this.o.backoffMs.min, this.o.backoffMs.max);
    return this.backoff;
  }

  /** Something may have changed: emit now, or when the last emit is an interval old. */
  private changed(): void {
    if (this.stopped || this.emitTimer) return;
    const wait = Math.max(0, this.lastEmitAt + this.o.intervalMs - Date.now());
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined;
      if (this.stopped || !this.dockerState) return;
      const containers = [...this.tracked.values()]
        .map((t) => withUsage(t.row, t.usage))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const text = JSON.stringify([containers, this.dockerState]);
      if (text === this.lastEmitted) return;
      this.lastEmitted = text;
      this.lastEmitAt = Date.now();
      this.opts.emit({ type: 'containers', containers, docker: this.dockerState });
    }, wait);
  }
}
