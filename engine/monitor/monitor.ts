import type { GreenciConfig } from '../../config/schema.js';
import type { DockerPort } from '../docker/port.js';
import type { EngineEvent } from '../events.js';
import type { Snapshot } from '../state.js';
import type { Store } from '../store/index.js';
import { Applier, type RoundResult } from './apply.js';
import { MonitorLoop } from './loop.js';
import { Observer } from './observe.js';

export type { RoundResult } from './apply.js';

export interface MonitorOptions {
  docker: Pick<DockerPort, 'ping' | 'listContainers' | 'inspectContainer' | 'restartContainer' | 'events' | 'containerLogs' | 'dataRoot'>;
  store: Store;
  config: () => GreenciConfig;
  snapshot: () => Snapshot;
  emit: (e: EngineEvent) => void;
  /** The daemon's webhook URL, checked as part of greenci itself (absent: not checked). */
  webhookUrl?: () => string | undefined;
  /** Listen to Docker's events for an immediate check (default true; false: polling only, for comparison). */
  dockerEvents?: boolean;
  /** What the monitor did that an operator should find in the log: restarts, skipped rounds, failed rounds, ticks missed. */
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /**
   * Asked after each scheduled round (a cheap look) and when a production app behind the front proxy
   * starts: the proxy follows containers Docker started again on another address. Never awaited.
   */
  followAddresses?: (why: string) => void;
}

/**
 * The monitoring service: on its schedule (and at once when Docker reports a container dying,
 * running out of memory or changing health) it checks every environment's apps and services and
 * greenci itself, moves each one's health state, stores the changes, announces them, restarts
 * what self-healing may restart, and hands the round's alerts over together.
 *
 * Wiring only: `loop.ts` says when a round runs (schedule, Docker's events, the lease, one at a
 * time), `observe.ts` what each check sees, `decide.ts` what that does to its health (pure), and
 * `apply.ts` carries it out (restart, store, announce).
 */
export class Monitor {
  private readonly observer: Observer;
  private readonly applier: Applier;
  private readonly loop: MonitorLoop;
  /** Figures for the curious: rounds run, ticks skipped because a round was still running. */
  readonly stats: MonitorLoop['stats'];

  constructor(private readonly o: MonitorOptions) {
    this.observer = new Observer(o);
    this.applier = new Applier(o);
    this.loop = new MonitorLoop({ ...o, leases: o.store.leases, round: (why, startedAt) => this.round(why, startedAt) });
    this.stats = this.loop.stats;
  }

  start(): void {
    this.loop.start();
  }

  /** A changed `monitor.schedule` (SIGHUP) takes effect here. */
  schedule(): void {
    this.loop.schedule();
  }

  /** Runs a round now, or once more right after the one in progress. Resolves with this round (or the one in progress). */
  check(why: string): Promise<RoundResult | undefined> {
    return this.loop.check(why);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async round(why: string, startedAt: number): Promise<RoundResult> {
    const cfg = this.o.config();
    const known = new Map(this.o.store.health.all().map((h) => [h.key, h]));
    const { observations, retire } = await this.observer.observe(cfg, known, startedAt);
    const result: RoundResult = { why, startedAt, ms: 0, observed: observations.length, transitions: [], alerts: [], healed: [] };
    await this.applier.applyRound(observations, retire, known, cfg, result);
    // the cheap look on the monitor's own rounds (at start, on schedule): what Docker's start events did not say (the
    // stream was down, a network reconnected by hand); rounds a container's death asked for leave it to its start event
    if (why === 'start' || why === 'schedule') this.o.followAddresses?.(`monitor round (${why})`);
    result.ms = Date.now() - startedAt;
    return result;
  }
}
