import type { Engine } from '../api.js';
import { backupDeps } from '../backup/production.js';
import { restoreService } from '../backup/restore.js';
import { backupProduction } from '../backup/take.js';
import { describeError, UsageError } from '../errors.js';
import type { EngineCore } from './core.js';

/** Backups of production's data: the list, one taken now, and a restore, the last two under the production lock. */
export function backupCommands(core: EngineCore): Pick<Engine, 'backups' | 'backup' | 'restore'> {
  const { docker, recorder, deps } = core;
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
          const live = recorder.read.releases.liveRelease(req.project);
          if (!live) throw new UsageError(`production ${req.project} runs no release yet: nothing to back up`);
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
              reason: 'manual',
              requestedBy: req.requestedBy,
              service: req.service,
              log: req.log ?? (() => undefined),
            });
            recorder.auditOutcome(auditId, `success: ${taken.map((b) => b.id).join(', ') || 'nothing to back up'}`);
            return taken;
          } catch (err) {
            recorder.auditOutcome(auditId, `failed: ${describeError(err)}`);
            throw err;
          }
        },
        { onWait: req.log },
      );
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
  };
}
