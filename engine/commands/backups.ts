import type { Engine, ScheduledBackup } from '../api.js';
import { type LeftoverNote, sweepLeftoverBackups } from '../backup/leftovers.js';
import { backupReason } from '../backup/names.js';
import { backupDeps } from '../backup/production.js';
import { restoreService } from '../backup/restore.js';
import { backupProduction } from '../backup/take.js';
import { describeError, UsageError } from '../errors.js';
import type { BackupRecord } from '../store/backups.js';
import type { EngineCore } from './core.js';

/** Who scheduled backups are taken and audited as. */
export const SCHEDULE_ACTOR = 'greenci (schedule)';

/**
 * Backups of production's data: the list, one taken now, one on the project's schedule, and a
 * restore, the last three under the production lock; and, at a start, what a killed greenci left.
 */
export function backupCommands(
  core: EngineCore,
): Pick<Engine, 'backups' | 'backup' | 'backupOnSchedule' | 'restore'> & { sweepLeftovers(): Promise<LeftoverNote[]> } {
  const { docker, recorder, deps, store } = core;

  /** Backs up the live release's services with data (the caller holds the production lock), audited. */
  async function take(
    req: { project: string; service?: string; requestedBy: string; log?: (line: string) => void },
    reason: string,
  ): Promise<{ release: string; taken: BackupRecord[] } | undefined> {
    const live = recorder.read.releases.liveRelease(req.project);
    if (!live) return undefined;
    const auditId = recorder.audit({
      actor: req.requestedBy,
      action: 'backup',
      project: req.project,
      target: req.service ?? live.version,
    });
    try {
      const taken = await backupProduction(backupDeps(docker, recorder, deps.config), {
        project: req.project,
        spec: recorder.read.releases.specOf(live.id),
        release: live.version,
        reason,
        requestedBy: req.requestedBy,
        service: req.service,
        log: req.log ?? (() => undefined),
      });
      recorder.auditOutcome(auditId, `success: ${taken.map((b) => b.id).join(', ') || 'nothing to back up'}`);
      return { release: live.version, taken };
    } catch (err) {
      recorder.auditOutcome(auditId, `failed: ${describeError(err)}`);
      throw err;
    }
  }

  return {
    backups(project) {
      core.project(project);
      return recorder.backups.all(project);
    },
    backup(req) {
      core.project(req.project);
      return deps.locks.run(
        `production:${req.project}`,
        `backup by ${req.requestedBy}`,
        async () => {
          const done = await take(req, backupReason({ kind: 'manual' }));
          if (!done) throw new UsageError(`production ${req.project} runs no release yet: nothing to back up`);
          return done.taken;
        },
        { onWait: req.log },
      );
    },
    async backupOnSchedule(project, log): Promise<ScheduledBackup> {
      core.project(project);
      if (!recorder.read.releases.liveRelease(project)) return { skipped: 'nothing is in production yet' };
      // a production change (or a restore, a prune) in progress goes first; the next tick backs up after it
      const lock = deps.locks.tryAcquire(`production:${project}`, 'scheduled backup');
      if ('busy' in lock) return { skipped: `production is busy: ${lock.busy}` };
      try {
        const done = await take({ project, requestedBy: SCHEDULE_ACTOR, log }, backupReason({ kind: 'schedule' }));
        return done ?? { skipped: 'nothing is in production yet' };
      } finally {
        lock.release();
      }
    },
    restore(req) {
      core.project(req.project);
      return deps.locks.run(
        `production:${req.project}`,
        `restore of ${req.service} by ${req.requestedBy}`,
        () => restoreService({ ...backupDeps(docker, recorder, deps.config), recorder, secrets: deps.secrets }, req),
        { onWait: req.log },
      );
    },
    sweepLeftovers: () =>
      sweepLeftoverBackups({
        dataDir: deps.config.dataDir,
        projects: Object.keys(core.config().projects),
        leases: store.leases,
        backups: recorder.backups,
        backupFinished: (id, f) => recorder.backupFinished(id, f),
      }),
  };
}
