import type { Logger } from 'pino';
import type { GreenciConfig } from '../../config/schema.js';
import { PRUNE_ACTOR } from '../../engine/commands/prune.js';
import { type CronJobOptions, scheduleJob, type ScheduledTask } from '../../engine/cron.js';
import { describeError } from '../../engine/errors.js';
import type { Engine } from '../../engine/index.js';
import { auditText } from '../../engine/prune/report.js';

/**
 * The daemon's two housekeeping schedules: reconciliation (`reconcile.schedule`: pushes nobody
 * delivered are queued, release tags origin lacks are pushed) and retention (`retention.schedule`:
 * every project pruned in turn, each under its production lock). Neither runs twice at once, and
 * neither starts while the daemon drains.
 */
export class DaemonSchedules {
  private reconcileTask?: ScheduledTask;
  private pruneTask?: ScheduledTask;
  private config!: GreenciConfig;
  private stopped = false;
  /** When reconciliation last finished (the daemon's info says it). */
  reconciledAt?: number;

  constructor(
    private readonly engine: Pick<Engine, 'prune' | 'reconcile' | 'pushTags'>,
    private readonly log: Logger,
  ) {}

  /** Schedules (again, when its expression changed) each job for `config`. */
  update(config: GreenciConfig): void {
    const old = this.config;
    this.config = config;
    if (old?.reconcile.schedule !== config.reconcile.schedule) {
      void this.reconcileTask?.destroy();
      this.reconcileTask = scheduleJob(config.reconcile.schedule, () => this.reconcileAll('schedule'), this.options('reconcile'));
    }
    if (old?.retention.schedule !== config.retention.schedule) {
      void this.pruneTask?.destroy();
      this.pruneTask = scheduleJob(config.retention.schedule, () => this.pruneAll(), this.options('prune'));
    }
  }

  stop(): void {
    this.stopped = true;
    void this.reconcileTask?.destroy();
    void this.pruneTask?.destroy();
  }

  private options(name: string): CronJobOptions {
    return { noOverlap: true, name, log: (level, msg, fields) => this.log[level](fields ?? {}, msg) };
  }

  /** One scheduled prune of every project: what it removed and freed is logged (and audited by the engine). */
  async pruneAll(): Promise<void> {
    if (this.stopped) return;
    for (const project of Object.keys(this.config.projects)) {
      try {
        const [r] = await this.engine.prune({ project, requestedBy: PRUNE_ACTOR });
        this.log.info(
          { project, removed: r.removed.filter((o) => o.outcome === 'removed').length, bytes: r.bytes, notes: r.notes },
          `prune of ${project}: ${auditText(r.removed)}`,
        );
      } catch (err) {
        this.log.warn({ project, err: describeError(err) }, `prune of ${project} failed`);
      }
    }
  }

  /** Queues pushes nobody delivered (smee or GitHub dropped them, or the daemon was down); pushes release tags origin lacks. */
  async reconcileAll(why: string): Promise<void> {
    if (this.stopped) return;
    for (const project of Object.keys(this.config.projects)) {
      try {
        const queued = await this.engine.reconcile(project);
        for (const b of queued)
          this.log.warn(
            { project, build: b.id, branch: b.branch, sha: b.requestedSha, found: why },
            `reconciliation found a push never delivered: ${project} ${b.branch} @ ${b.requestedSha?.slice(0, 12)}; queued #${b.id}`,
          );
      } catch (err) {
        this.log.warn({ project, err: describeError(err) }, `reconciliation of ${project} failed`);
      }
    }
    for (const n of await this.engine.pushTags()) this.log[n.level]({ project: n.project, build: n.buildId }, n.msg);
    this.reconciledAt = Date.now();
  }
}
