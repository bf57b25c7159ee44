import { randomUUID } from 'node:crypto';
import type { GreenciConfig } from '../../config/schema.js';
import { scheduleJob, type ScheduledTask } from '../cron.js';
import type { DockerEvent, DockerPort } from '../docker/port.js';
import { LABEL } from '../docker/names.js';
import { describeError } from '../errors.js';
import { RoundLoop } from '../round-loop.js';
import type { LeaseStore } from '../store/leases.js';
import type { RoundResult } from './apply.js';
import { keepEventsOpen, type EventFeed } from './event-feed.js';
import { CHECKED_ROLES } from './observe.js';

export interface MonitorLoopOptions {
  docker: Pick<DockerPort, 'events'>;
  leases: Pick<LeaseStore, 'tryAcquire' | 'release'>;
  config: () => GreenciConfig;
  /** Listen to Docker's events for an immediate check (default true; false: polling only, for comparison). */
  dockerEvents?: boolean;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** One round, run while this process holds the `monitor` lease. */
  round(why: string, startedAt: number): Promise<RoundResult>;
  /** A production app behind the front proxy started (while this process holds the lease): its address may have changed. */
  followAddresses?: (why: string) => void;
}

/** After Docker reported a death the check agreed with, the second look comes this much later (not a whole interval). */
const CONFIRM_MS = 3000;

/**
 * When the monitor looks: on its schedule, and at once when Docker reports a container dying,
 * running out of memory or changing health (a production app starting asks the front proxy's
 * address follower instead). Rounds never overlap: a tick during a round is
 * skipped; an event during a round asks for one more after it. A death Docker reported is
 * confirmed by a second look 3 s later, so it is down (and alerted) then, not a whole interval
 * later. One monitor per data dir (a daemon, or a console without one) runs rounds: the `monitor`
 * lease; the others' rounds are skipped.
 */
export class MonitorLoop {
  private task?: ScheduledTask;
  private feed?: EventFeed;
  private readonly abort = new AbortController();
  private readonly rounds = new RoundLoop<RoundResult | undefined>({ run: (why) => this.run(why) });
  private scheduleText?: string;
  private readonly leaseToken = randomUUID();
  private confirmTimer?: NodeJS.Timeout;
  /** Figures for the curious: rounds run, ticks skipped because a round was still running. */
  readonly stats = { rounds: 0, skipped: 0, lastMs: 0 };

  constructor(private readonly o: MonitorLoopOptions) {}

  start(): void {
    this.schedule();
    if (this.o.dockerEvents !== false)
      this.feed = keepEventsOpen({
        docker: this.o.docker,
        filters: { type: ['container'], event: ['die', 'oom', 'health_status', 'start'], label: [LABEL.project] },
        signal: this.abort.signal,
        onEvent: (e) => this.onDockerEvent(e),
        onOpen: () => undefined,
        onDown: () => undefined,
        backoffMs: { min: 1000, max: 30_000 },
      });
    void this.check('start');
  }

  /** A changed `monitor.schedule` (SIGHUP) takes effect here. */
  schedule(): void {
    const text = this.o.config().monitor.schedule;
    if (this.task && text === this.scheduleText) return;
    void this.task?.destroy();
    this.scheduleText = text;
    this.task = scheduleJob(text, () => void this.tick(), { name: 'monitor', log: this.o.log });
  }

  /** Runs a round now, or once more right after the one in progress. Resolves with this round (or the one in progress). */
  check(why: string): Promise<RoundResult | undefined> {
    return this.rounds.request(why);
  }

  async stop(): Promise<void> {
    const round = this.rounds.stop();
    clearTimeout(this.confirmTimer);
    void this.task?.destroy();
    this.abort.abort();
    await round;
    await this.feed?.done;
    try {
      this.o.leases.release('monitor', this.leaseToken);
    } catch {
      // the store is closed already: the lease dies with this process
    }
  }

  private tick(): Promise<unknown> {
    if (this.rounds.busy) {
      this.stats.skipped++;
      return Promise.resolve();
    }
    return this.check('schedule');
  }

  private onDockerEvent(e: DockerEvent): void {
    const labels = e.Actor?.Attributes ?? {};
    const action = (e.Action ?? '').split(':')[0];
    const why = `docker ${action} ${labels.name ?? ''}`.trim();
    if (action === 'start') {
      // Docker may have given a release's app another address: the front proxy must follow (no health round: its checks come on schedule)
      if (labels[LABEL.env] === 'production' && labels[LABEL.slot] && this.holdsLease()) this.o.followAddresses?.(why);
      return;
    }
    if (!CHECKED_ROLES.has(labels[LABEL.role] ?? '')) return;
    void this.check(why);
  }

  private holdsLease(): boolean {
    return !this.rounds.stopped && this.o.leases.tryAcquire('monitor', this.leaseToken, 'health monitoring').ok;
  }

  private run(why: string): Promise<RoundResult | undefined> {
    return this.leasedRound(why)
      .catch((err) => {
        this.o.log?.('error', `monitoring round failed: ${describeError(err)}`, { why });
        return undefined;
      })
      .then((r) => {
        // Docker said a container died and the check agrees: confirm soon rather than at the next tick
        if (r?.why.startsWith('docker') && r.transitions.some((t) => t.to === 'degraded') && !this.rounds.stopped) {
          clearTimeout(this.confirmTimer);
          this.confirmTimer = setTimeout(() => void this.check('confirm'), CONFIRM_MS);
          this.confirmTimer.unref?.();
        }
        return r;
      });
  }

  /** A round, if this process holds the lease (the first time another holds it, the log says who). */
  private async leasedRound(why: string): Promise<RoundResult | undefined> {
    const startedAt = Date.now();
    const lease = this.o.leases.tryAcquire('monitor', this.leaseToken, 'health monitoring');
    if (!lease.ok) {
      if (this.stats.rounds === 0 && this.stats.skipped++ === 0)
        this.o.log?.('info', `health monitoring is done by greenci process ${lease.holder.pid}; this one only shows it`);
      return undefined;
    }
    const result = await this.o.round(why, startedAt);
    this.stats.rounds++;
    this.stats.lastMs = result.ms;
    return result;
  }
}
