import fs from 'node:fs';
import path from 'node:path';
import type { BackupRecord } from '../store/backups.js';
import type { LeaseStore } from '../store/leases.js';

/** What the sweep did, in sentences for the log (the shape of recovery's notes). */
export interface LeftoverNote {
  level: 'info' | 'warn';
  project?: string;
  msg: string;
}

export interface LeftoverDeps {
  dataDir: string;
  projects: string[];
  leases: Pick<LeaseStore, 'holder'>;
  backups: { all(project: string): BackupRecord[] };
  backupFinished(id: string, f: { outcome: string }): unknown;
}

/** What an attempt a greenci process died in is recorded as. */
export const INTERRUPTED = 'failed: interrupted (greenci stopped while it ran)';

/**
 * At a start: what a greenci killed mid-backup (kill -9, a crash, the host going down) left
 * behind. Its `*.partial` files under `<dataDir>/backups` are removed (a backup is written under
 * that name and renamed only once whole, so none of them is a backup), and its attempts still
 * without an outcome are recorded as interrupted. A project whose production lock a live greenci
 * process holds is left alone: a backup may be being written for it right now.
 */
export async function sweepLeftoverBackups(d: LeftoverDeps): Promise<LeftoverNote[]> {
  const notes: LeftoverNote[] = [];
  const root = path.join(d.dataDir, 'backups');
  const busy = (project: string) => d.leases.holder(`production:${project}`) !== undefined;
  const entries = await fs.promises.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith('.partial')) continue;
    const file = path.join(e.parentPath, e.name);
    const project = path.relative(root, file).split(path.sep)[0];
    if (busy(project)) continue;
    const bytes = await fs.promises.stat(file).then(
      (s) => s.size,
      () => 0,
    );
    try {
      await fs.promises.rm(file, { force: true });
      notes.push({ level: 'warn', project, msg: `removed a half-written backup a stopped greenci left: ${file} (${bytes} bytes)` });
    } catch (err) {
      notes.push({ level: 'warn', project, msg: `a half-written backup could not be removed: ${file}: ${(err as Error).message}` });
    }
  }
  for (const project of d.projects) {
    if (busy(project)) continue;
    for (const b of d.backups.all(project).filter((x) => x.outcome === undefined)) {
      d.backupFinished(b.id, { outcome: INTERRUPTED });
      notes.push({
        level: 'warn',
        project,
        msg: `backup ${b.id} of ${b.service} was interrupted (greenci stopped while it ran); recorded as failed`,
      });
    }
  }
  return notes;
}
