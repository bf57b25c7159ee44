import path from 'node:path';
import type { BackupKind } from '../store/backups.js';

/** Where backups live and what they are called. Pure. */

/** A backup's id: when it was taken (UTC, to the millisecond) and of which service, so ids sort by time and say what they are. */
export function backupId(takenAt: number, service: string): string {
  const t = new Date(takenAt).toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${t}-${service}`;
}

/** `<dataDir>/backups/<project>/<service>/<id>.<sql|tar>.gz` */
export function backupPath(dataDir: string, project: string, service: string, id: string, kind: BackupKind): string {
  return path.join(dataDir, 'backups', project, service, `${id}.${kind === 'dump' ? 'sql' : 'tar'}.gz`);
}

/** The name a backup is written under until it is complete (then renamed): a crash never leaves a file that looks whole. */
export function partialPath(finalPath: string): string {
  return `${finalPath}.partial`;
}

/** Why a backup was taken, as the list says it. */
export function backupReason(
  why: { kind: 'release'; version: string } | { kind: 'rollback'; to: string } | { kind: 'restore' | 'schedule' | 'manual' },
): string {
  if (why.kind === 'release') return `release ${why.version}`;
  if (why.kind === 'rollback') return `rollback to ${why.to}`;
  return why.kind;
}
