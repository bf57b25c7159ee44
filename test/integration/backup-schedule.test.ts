import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../engine/api.js';
import { BackupStore } from '../../engine/store/backups.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Scheduled backups (`projects.<p>.backups.schedule`) in a real daemon, with the real sample on
 * MariaDB: skipped while nothing is in production and while a production change holds the lock
 * (said in the log, never an error), then taken of every service with data, tied to the live
 * release, listed by `greenci backups` with reason `schedule`. And what a greenci killed
 * mid-backup left (a `.partial` file, an attempt with no outcome) is cleaned up at the start.
 */
describe('greenci daemon: backups on a schedule, and leftovers of a killed backup', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  let partial = '';
  const cli = (args: string[]) => greenciDone([...args, '--config', g.configFile], g.env);
  const backupsJson = async (): Promise<BackupRecord[]> => {
    const r = await cli(['backups', g.project, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as BackupRecord[];
  };

  beforeAll(async () => {
    g = await setupGreen({ noEngine: true });
    g.writeConfig({ extra: 'reconcile:\n  schedule: "0 0 1 1 *"', projectExtra: '    backups:\n      schedule: "*/2 * * * * *"' });
    // what a greenci killed with kill -9 mid-backup leaves: a half-written file and an attempt with no outcome
    partial = path.join(g.dataDir, 'backups', g.project, 'weight-db', '20261128T101010000Z-weight-db.sql.gz.partial');
    mkdirSync(path.dirname(partial), { recursive: true });
    writeFileSync(partial, Buffer.alloc(1000));
    store = openStore(g.dataDir);
    new BackupStore(store.db).started({
      id: '20261128T101010000Z-weight-db',
      project: g.project,
      service: 'weight-db',
      reason: 'manual',
      kind: 'dump',
      path: partial.replace(/\.partial$/, ''),
    });
    d = await startDaemon(g.configFile, g.env);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('at the start, the half-written backup is removed and its attempt recorded as interrupted, both logged', async () => {
    expect(existsSync(partial)).toBe(false);
    expect(d.logs.find((l) => l.msg.startsWith('removed a half-written backup'))).toMatchObject({
      level: 'warn',
      msg: `removed a half-written backup a stopped greenci left: ${partial} (1000 bytes)`,
    });
    expect(d.logs.some((l) => l.msg.startsWith('backup 20261128T101010000Z-weight-db of weight-db was interrupted'))).toBe(true);
    expect((await backupsJson()).find((b) => b.id === '20261128T101010000Z-weight-db')).toMatchObject({
      outcome: 'failed: interrupted (greenci stopped while it ran)',
    });
  });

  it('nothing in production yet: the schedule skips, says why, and takes nothing', async () => {
    const skip = await d.waitForLog((l) => l.msg.startsWith(`scheduled backup of ${g.project} skipped`), 30_000);
    expect(skip).toMatchObject({ level: 'info', msg: `scheduled backup of ${g.project} skipped: nothing is in production yet` });
    expect((await backupsJson()).filter((b) => b.outcome === 'success')).toEqual([]);
  });

  it('production busy: skipped and said; then every service with data is backed up on schedule, tied to the live release', async () => {
    const r = await cli(['trigger', g.project, '--branch', 'master', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as { id: number }).id;
    const build = await waitUntil(
      () => ['success', 'failed'].includes(store.builds.get(id)?.status ?? '') && store.builds.get(id),
      `build #${id}`,
      170_000,
    );
    expect(build.status, build.reason).toBe('success');
    const live = store.releases.liveRelease(g.project)!.version;

    // another greenci process holds production (a restore, say): the schedule does not wait behind it
    const token = randomUUID();
    // (taken between two of the schedule's own backups, which hold it while they run)
    await waitUntil(
      () => store.leases.tryAcquire(`production:${g.project}`, token, 'restore of weight-db by olivia').ok,
      'the production lock free for the test to take',
      30_000,
      20,
    );
    const from = d.logs.length;
    try {
      const busy = await d.waitForLog((l) => d.logs.indexOf(l) >= from && /skipped: production is busy/.test(l.msg), 30_000);
      expect(busy.msg).toBe(
        `scheduled backup of ${g.project} skipped: production is busy: greenci process ${process.pid} (restore of weight-db by olivia)`,
      );
      expect(d.logs.slice(from).some((l) => l.level === 'error')).toBe(false);
    } finally {
      store.leases.release(`production:${g.project}`, token);
    }

    const scheduled = await waitUntil(
      async () => {
        const ok = (await backupsJson()).filter((b) => b.reason === 'schedule' && b.outcome === 'success');
        return new Set(ok.map((b) => b.service)).size === 2 && ok;
      },
      'a scheduled backup of both databases in greenci backups --json',
      60_000,
    );
    for (const b of scheduled) {
      expect(b).toMatchObject({ release: live, kind: 'dump', requestedBy: 'greenci (schedule)' });
      expect(statSync(b.path).size).toBe(b.size);
      expect(b.path).toMatch(new RegExp(`/backups/${g.project}/${b.service}/${b.id}\\.sql\\.gz$`));
    }
    const taken = await d.waitForLog((l) => l.msg.startsWith(`scheduled backup of ${g.project} (release ${live}): `), 30_000);
    expect(taken.msg).toMatch(
      new RegExp(`^scheduled backup of ${g.project} \\(release ${live}\\): (billing-db|weight-db) \\S+, (billing-db|weight-db) \\S+$`),
    );
    const table = await cli(['backups', g.project]);
    expect(table.stdout).toMatch(
      new RegExp(`^\\S+-weight-db\\s+\\S+ \\S+\\s+weight-db\\s+${live.replace(/\./g, '\\.')}\\s+schedule\\s+dump\\s`, 'm'),
    );
    // the newest may be a scheduled backup still running: the last one finished
    const audited = store.audit.list(g.project, 50).filter((a) => a.action === 'backup' && a.actor === 'greenci (schedule)' && a.outcome);
    expect(audited[0]).toMatchObject({
      target: live,
      outcome: expect.stringMatching(/^success: /),
    });
  });
});
