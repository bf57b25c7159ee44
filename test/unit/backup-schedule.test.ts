import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import { INTERRUPTED, sweepLeftoverBackups } from '../../engine/backup/leftovers.js';
import { HostLocks } from '../../engine/host-locks.js';
import { BackupStore } from '../../engine/store/backups.js';
import { openStore } from '../../engine/store/index.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'greenci-backup-schedule-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('backups.schedule in greenci config', () => {
  it('a project may name a node-cron schedule (with seconds too); the example config has one', () => {
    const ok = parseConfig('projects:\n  green:\n    repo: /g.git\n    backups:\n      schedule: "*/5 * * * * *"\n', '/srv/ci', {});
    expect(ok.errors).toEqual([]);
    expect(ok.config!.projects.green.backups).toEqual({ schedule: '*/5 * * * * *' });
    expect(parseConfig('projects:\n  green:\n    repo: /g.git\n', '/srv/ci', {}).config!.projects.green.backups).toBeUndefined();
    const example = parseConfig(readFileSync(path.join(ROOT, 'config', 'greenci.example.yml'), 'utf8'), '/etc/greenci', {});
    expect(example.config!.projects.green.backups).toEqual({ schedule: '0 3 * * *' });
  });

  it('a schedule that is no cron expression, or an unknown key, is refused with its path', () => {
    const bad = parseConfig('projects:\n  green:\n    repo: /g.git\n    backups:\n      schedule: "every night"\n', '/srv/ci', {});
    expect(bad.errors).toEqual(['projects.green.backups.schedule: not a cron expression (five fields, or six with seconds)']);
    const typo = parseConfig('projects:\n  green:\n    repo: /g.git\n    backups:\n      shedule: "0 3 * * *"\n', '/srv/ci', {});
    expect(typo.errors.join('\n')).toMatch(/projects\.green\.backups: Unrecognized key: shedule/);
  });
});

describe('the production lock, tried without waiting (a scheduled backup never queues behind a change)', () => {
  it('busy while this process or another greenci process holds it; free again once released', async () => {
    const dir = path.join(tmp, 'locks');
    mkdirSync(dir);
    const store = openStore(dir);
    const here = new HostLocks(store.leases, 10);
    const other = new HostLocks(store.leases, 10);
    try {
      const release = await here.acquire('production:green', 'release v0.2.0 (build #4)');
      expect(here.tryAcquire('production:green', 'scheduled backup')).toEqual({ busy: 'release v0.2.0 (build #4)' });
      // another greenci process (its own token): the lease says who
      expect(other.tryAcquire('production:green', 'scheduled backup')).toEqual({
        busy: `greenci process ${process.pid} (release v0.2.0 (build #4))`,
      });
      release();
      const got = here.tryAcquire('production:green', 'scheduled backup');
      expect('release' in got).toBe(true);
      // while the scheduled backup holds it, a release waits for it as for any holder
      let released = false;
      const waiting = here.acquire('production:green', 'release v0.3.0').then((r) => ((released = true), r));
      await new Promise((r) => setImmediate(r));
      expect(released).toBe(false);
      if ('release' in got) got.release();
      (await waiting)();
      expect(released).toBe(true);
    } finally {
      store.close();
    }
  });
});

describe('leftovers of a greenci killed mid-backup', () => {
  it('at a start: .partial files are removed and said, unfinished attempts recorded as interrupted; a project being backed up now is left alone', async () => {
    const dir = path.join(tmp, 'sweep');
    mkdirSync(dir);
    const store = openStore(dir);
    const backups = new BackupStore(store.db);
    try {
      const file = (project: string, service: string, name: string, bytes = 10) => {
        const p = path.join(dir, 'backups', project, service, name);
        mkdirSync(path.dirname(p), { recursive: true });
        writeFileSync(p, Buffer.alloc(bytes));
        return p;
      };
      const half = file('green', 'weight-db', '20261128T101010000Z-weight-db.sql.gz.partial', 4096);
      const whole = file('green', 'weight-db', '20261127T030000000Z-weight-db.sql.gz');
      const busyHalf = file('blue', 'db', '20261128T101010000Z-db.tar.gz.partial');
      const started = (id: string, project: string) =>
        backups.started({ id, project, service: 'weight-db', reason: 'schedule', kind: 'dump', path: `/x/${id}` });
      started('a-green', 'green');
      started('b-green', 'green');
      backups.finished('b-green', { outcome: 'success', size: 1, sha256: 'ab' });
      started('c-blue', 'blue');
      // blue is being backed up by a live greenci right now
      expect(store.leases.tryAcquire('production:blue', 'other-token', 'scheduled backup').ok).toBe(true);

      const notes = await sweepLeftoverBackups({
        dataDir: dir,
        projects: ['green', 'blue'],
        leases: store.leases,
        backups,
        backupFinished: (id, f) => backups.finished(id, f),
      });
      expect(notes).toEqual([
        { level: 'warn', project: 'green', msg: `removed a half-written backup a stopped greenci left: ${half} (4096 bytes)` },
        {
          level: 'warn',
          project: 'green',
          msg: 'backup a-green of weight-db was interrupted (greenci stopped while it ran); recorded as failed',
        },
      ]);
      expect(existsSync(half)).toBe(false);
      expect(existsSync(whole)).toBe(true);
      expect(existsSync(busyHalf)).toBe(true);
      expect(backups.get('a-green')?.outcome).toBe(INTERRUPTED);
      expect(backups.get('b-green')?.outcome).toBe('success');
      expect(backups.get('c-blue')?.outcome).toBeUndefined();
      // nothing left: nothing to say
      expect(
        await sweepLeftoverBackups({
          dataDir: path.join(tmp, 'none'),
          projects: [],
          leases: store.leases,
          backups,
          backupFinished: () => undefined,
        }),
      ).toEqual([]);
    } finally {
      store.close();
    }
  });
});
