import { NotFoundError } from '../errors.js';
import type { BackupRecord } from '../store/backups.js';

/**
 * Which backup a restore loads: the one with that id, or (`vX.Y.Z`) the newest of the service
 * taken while that release was live, else the service's newest. Only complete ones. Pure.
 */
export function chooseBackup(records: readonly BackupRecord[], service: string, from?: string): BackupRecord {
  const usable = records.filter((b) => b.service === service && b.outcome === 'success').sort((a, b) => b.startedAt - a.startedAt);
  if (from === undefined) {
    if (!usable[0]) throw new NotFoundError(`${service} has no backup to restore from`);
    return usable[0];
  }
  const byId = records.find((b) => b.id === from);
  if (byId) {
    if (byId.service !== service) throw new NotFoundError(`backup ${from} is of ${byId.service}, not ${service}`);
    if (byId.outcome !== 'success') throw new NotFoundError(`backup ${from} did not complete (${byId.outcome ?? 'still running'})`);
    return byId;
  }
  if (/^v?\d+\.\d+\.\d+$/.test(from)) {
    const version = from.startsWith('v') ? from : `v${from}`;
    const of = usable.find((b) => b.release === version);
    if (!of) throw new NotFoundError(`${service} has no backup taken while ${version} was live`);
    return of;
  }
  throw new NotFoundError(`no backup ${from} (name a backup id from greenci backups, or a release vX.Y.Z)`);
}
