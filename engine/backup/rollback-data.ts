import { describeError, OperationFailedError } from '../errors.js';
import type { Recorder } from '../recorder.js';
import { loadRestore, type LoadedRestore, planRestore, putBack, type RestoreDeps, type RestorePlan } from './restore.js';
import { servicesToBackUp } from './take.js';

/** `greenci rollback --restore-data`: the data of the release rolled back to, put back service by service. */

/** One service's data as a rollback put it back. */
export interface RestoredData {
  service: string;
  /** The backup loaded (taken while the target release was live). */
  backup: string;
  /** The volume generation the service runs on now, and the one it ran on (kept). */
  volume: string;
  previousVolume: string;
}

/**
 * Which backups a rollback to `version` loads, checked without changing anything: for every
 * production service with a volume (the live release's greenci.yml), the newest complete backup
 * taken while `version` was live, its file verified. A service without one, or a corrupt file,
 * refuses the whole rollback (`{ why }` naming the service).
 */
export async function planDataRollback(
  deps: RestoreDeps,
  project: string,
  version: string,
): Promise<{ plans: RestorePlan[] } | { why: string }> {
  const live = deps.recorder.read.releases.liveRelease(project);
  if (!live) return { why: 'production runs no release, so there is no data to replace' };
  const services = servicesToBackUp(deps.recorder.read.releases.specOf(live.id));
  if (!services.length) return { why: `${live.version}'s greenci.yml has no service with a volume: there is no data to restore` };
  const plans: RestorePlan[] = [];
  for (const svc of services) {
    const planned = await planRestore(deps, { project, service: svc.name, from: version });
    if ('why' in planned) return { why: `${svc.name}: ${planned.why}` };
    plans.push(planned.plan);
  }
  return { plans };
}

/** A service's data loaded by a rollback, kept to undo it. */
export interface LoadedData {
  plan: RestorePlan;
  loaded: LoadedRestore;
}

/**
 * Loads each planned backup into a fresh volume generation, one service after another. When one
 * fails, that service is already back on its volume (loadRestore), and those loaded before it are
 * put back too, so production's data is all on the generations that were live; the error names
 * the service that failed.
 */
export async function loadDataRollback(deps: RestoreDeps, plans: RestorePlan[], log: (line: string) => void): Promise<LoadedData[]> {
  const done: LoadedData[] = [];
  for (const plan of plans) {
    log(`restore: ${plan.svc.name} from backup ${plan.backup.id} (taken while ${plan.backup.release} was live)`);
    try {
      done.push({ plan, loaded: await loadRestore(deps, plan, log) });
    } catch (err) {
      const undone = await undoDataRollback(deps, done, log);
      throw new OperationFailedError(`${describeError(err).split('\n')[0]}${undone ? `; ${undone}` : ''}`);
    }
  }
  return done;
}

/** Puts services whose data a rollback loaded back on the generations they ran on (newest first); says where they are. */
export async function undoDataRollback(deps: RestoreDeps, done: LoadedData[], log: (line: string) => void): Promise<string> {
  const said: string[] = [];
  for (const d of [...done].reverse()) said.push(await putBack(deps, d.plan, d.loaded, log));
  return said.join('; ');
}

/** The audit rows of data a rollback put back: one `restore-data` per service, with who asked and the backup. */
export function auditDataRollback(recorder: Recorder, project: string, version: string, by: string, done: LoadedData[]): RestoredData[] {
  return done.map(({ plan, loaded }) => {
    recorder.audit({
      actor: by,
      action: 'restore-data',
      project,
      target: plan.svc.name,
      outcome: `success: ${plan.svc.name} on ${loaded.volume} from backup ${plan.backup.id}; ${loaded.previousVolume} kept (rollback to ${version})`,
      detail: { from: plan.backup.id, rollback: version },
    });
    return { service: plan.svc.name, backup: plan.backup.id, ...loaded };
  });
}
