import type { Logger } from 'pino';
import type { GreenciConfig } from '../../config/schema.js';
import { scheduleJob, type ScheduledTask } from '../../engine/cron.js';
import { describeError } from '../../engine/errors.js';
import type { Engine } from '../../engine/index.js';

/**
 * The daemon's scheduled backups: a node-cron task per project with `backups.schedule`, each run
 * logged (taken, skipped and why, or failed). A changed schedule (SIGHUP) replaces its task; a
 * stop waits for the backups running (a volume copy has its database stopped until it ends).
 */
export class ScheduledBackups {
  private readonly tasks = new Map<string, { schedule: string; task: ScheduledTask }>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly engine: Pick<Engine, 'backupOnSchedule'>,
    private readonly log: Logger,
  ) {}

  /** Starts, replaces or ends each project's task to match the config. */
  update(config: GreenciConfig): void {
    for (const [project, t] of this.tasks) {
      if (config.projects[project]?.backups?.schedule === t.schedule) continue;
      void t.task.destroy();
      this.tasks.delete(project);
    }
    for (const [project, p] of Object.entries(config.projects)) {
      const schedule = p.backups?.schedule;
      if (!schedule || this.tasks.has(project) || this.stopped) continue;
      const task = scheduleJob(schedule, () => this.track(this.run(project)), {
        noOverlap: true,
        name: `backup ${project}`,
        log: (level, msg, fields) => this.log[level](fields ?? {}, msg),
      });
      this.tasks.set(project, { schedule, task });
      this.log.info({ project, schedule }, `backups of production ${project} on "${schedule}"`);
    }
  }

  /** No more runs; resolves when the ones running have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.tasks.values()) void t.task.destroy();
    this.tasks.clear();
    await Promise.all(this.running);
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }

  /** One scheduled backup of a project's production data; skipped (said, not an error) when nothing is live or production is busy. */
  private async run(project: string): Promise<void> {
    if (this.stopped) return;
    try {
      const r = await this.engine.backupOnSchedule(project, (line) => this.log.info({ project }, line));
      if ('skipped' in r) this.log.info({ project, backup: 'skipped' }, `scheduled backup of ${project} skipped: ${r.skipped}`);
      else
        this.log.info(
          { project, release: r.release, backups: r.taken.map((b) => b.id) },
          `scheduled backup of ${project} (release ${r.release}): ${r.taken.map((b) => `${b.service} ${b.id}`).join(', ') || 'no service keeps data'}`,
        );
    } catch (err) {
      this.log.error({ project, err: describeError(err) }, `scheduled backup of ${project} failed: ${describeError(err)}`);
    }
  }
}
