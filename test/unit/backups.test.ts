import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseProjectFile } from '../../config/project-file.js';
import { chooseBackup } from '../../engine/backup/choose.js';
import { verifyBackupFile, writeBackupFile } from '../../engine/backup/file.js';
import { currentGeneration, currentVolume, generationOf, generationVolume, nextVolume } from '../../engine/backup/generations.js';
import { backupId, backupPath, backupReason } from '../../engine/backup/names.js';
import { servicesToBackUp } from '../../engine/backup/take.js';
import { whenSinkGone } from '../../engine/sink-gone.js';
import type { BackupRecord } from '../../engine/store/backups.js';
import { tempDir } from '../helpers/origin.js';

const BASE = 'green-production-billing-db-data';

describe('volume generations', () => {
  it('generation 1 is the name greenci always used; later ones add -g<n>', () => {
    expect(generationVolume(BASE, 1)).toBe(BASE);
    expect(generationVolume(BASE, 2)).toBe(`${BASE}-g2`);
    expect(generationVolume(BASE, 12)).toBe(`${BASE}-g12`);
    expect(() => generationVolume(BASE, 0)).toThrow(RangeError);
  });

  it("reads a name's generation, and only of its own base", () => {
    expect(generationOf(BASE, BASE)).toBe(1);
    expect(generationOf(BASE, `${BASE}-g3`)).toBe(3);
    expect(generationOf(BASE, `${BASE}-g1`)).toBeUndefined();
    expect(generationOf(BASE, `${BASE}-g03`)).toBeUndefined();
    expect(generationOf(BASE, `${BASE}-gx`)).toBeUndefined();
    expect(generationOf(BASE, 'green-production-weight-db-data-g2')).toBeUndefined();
  });

  it('the current generation is the highest that exists; the next is one past it', () => {
    expect(currentGeneration(BASE, [])).toBe(1);
    expect(currentVolume(BASE, [BASE, 'other'])).toBe(BASE);
    expect(nextVolume(BASE, [BASE])).toBe(`${BASE}-g2`);
    expect(currentVolume(BASE, [BASE, `${BASE}-g2`, `${BASE}-g10`, 'green-production-weight-db-data-g40'])).toBe(`${BASE}-g10`);
    expect(nextVolume(BASE, [`${BASE}-g2`])).toBe(`${BASE}-g3`);
  });
});

describe('backup names', () => {
  it('ids sort by time and say the service; files live under dataDir/backups/<project>/<service>/', () => {
    const id = backupId(Date.UTC(2026, 10, 28, 16, 5, 7, 42), 'billing-db');
    expect(id).toBe('20261128T160507042Z-billing-db');
    expect(backupPath('/var/lib/greenci', 'green', 'billing-db', id, 'dump')).toBe(
      `/var/lib/greenci/backups/green/billing-db/${id}.sql.gz`,
    );
    expect(backupPath('/d', 'green', 'weight-db', 'x', 'volume')).toBe('/d/backups/green/weight-db/x.tar.gz');
    expect(backupReason({ kind: 'release', version: 'v0.4.0' })).toBe('release v0.4.0');
    expect(backupReason({ kind: 'rollback', to: 'v0.2.0' })).toBe('rollback to v0.2.0');
    expect(backupReason({ kind: 'manual' })).toBe('manual');
  });
});

describe('backup files', () => {
  it('are gzipped, checksummed as they stream, mode 0600, and verified; a truncated or changed one is refused', async () => {
    const dir = tempDir('greenci-backup-');
    const file = path.join(dir, 'b', 'x.sql.gz');
    const stored = await writeBackupFile(file, async (sink) => {
      for (let i = 0; i < 1000; i++) sink.write(`line ${i}\n`);
    });
    expect(stored.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(stored.size).toBe(statSync(file).size);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(gunzipSync(readFileSync(file)).toString().split('\n')[999]).toBe('line 999');
    expect(await verifyBackupFile(file, stored)).toBeUndefined();

    const bytes = readFileSync(file);
    bytes[bytes.length - 12] ^= 0xff;
    writeFileSync(file, bytes);
    expect(await verifyBackupFile(file, stored)).toMatch(/does not decompress|sha256/);
    truncateSync(file, stored.size - 10);
    expect(await verifyBackupFile(file, stored)).toContain(`has ${stored.size - 10} bytes; ${stored.size} were recorded`);
  });

  it('a feed that fails leaves no file behind', async () => {
    const dir = tempDir('greenci-backup-');
    const file = path.join(dir, 'x.tar.gz');
    await expect(
      writeBackupFile(file, async (sink) => {
        sink.write('partial');
        throw new Error('dump exited 1');
      }),
    ).rejects.toThrow('dump exited 1');
    expect(() => statSync(file)).toThrow();
    expect(() => statSync(`${file}.partial`)).toThrow();
  });

  it('a write that fails (the disk is full) stops the feed, which waits on its sink, and reports the disk error', async () => {
    const dir = tempDir('greenci-backup-');
    const file = path.join(dir, 'x.sql.gz');
    // the partial file is /dev/full: every write to it fails with ENOSPC, as on a full disk
    symlinkSync('/dev/full', `${file}.partial`);
    let fed = 0;
    let stopped = '';
    await expect(
      writeBackupFile(file, async (sink) => {
        // as a Docker stream feeds it: a chunk at a time, waiting for a drain when the sink is full;
        // a feed that did not watch its sink would wait for that drain for ever
        await new Promise<void>((resolve, reject) => {
          const unwatch = whenSinkGone(sink, (why) => {
            stopped = why.message;
            reject(why);
          });
          const more = () => {
            while (fed < 100_000) {
              fed++;
              if (!sink.write(randomBytes(1024))) return void sink.once('drain', more);
            }
            unwatch();
            resolve();
          };
          more();
        });
      }),
    ).rejects.toThrow(/ENOSPC/);
    expect(stopped).toMatch(/^the data could not be written/);
    expect(fed).toBeLessThan(100_000);
    expect(() => lstatSync(`${file}.partial`)).toThrow();
    expect(() => statSync(file)).toThrow();
  });
});

describe("greenci.yml's backup block", () => {
  const yml = (backup: string, volume = '    volume: /data\n') =>
    `apps:\n  web:\n    build: web\n    port: 8080\nservices:\n  db:\n    image: db:local\n${volume}${backup}`;

  it('names dump and restore argument lists; services with a volume are backed up', () => {
    const { spec, errors } = parseProjectFile(yml('    backup:\n      dump: [mariadb-dump, --all-databases]\n      restore: [mariadb]\n'));
    expect(errors).toEqual([]);
    expect(spec!.services.find((s) => s.name === 'db')!.backup).toEqual({
      dump: ['mariadb-dump', '--all-databases'],
      restore: ['mariadb'],
    });
    expect(servicesToBackUp(spec!).map((s) => s.name)).toEqual(['db']);
    expect(() => servicesToBackUp(spec!, 'web')).toThrow('service web has no volume in production');
  });

  it('refuses a shell string, an empty list, a missing restore and a backup without a volume, with clear errors', () => {
    expect(parseProjectFile(yml('    backup:\n      dump: "mariadb-dump | gzip"\n      restore: [mariadb]\n')).errors).toEqual([
      'services.db.backup.dump: expected array, received string',
    ]);
    expect(parseProjectFile(yml('    backup:\n      dump: []\n      restore: [mariadb]\n')).errors).toEqual([
      'services.db.backup.dump: must name a program (an argument list, run without a shell)',
    ]);
    expect(parseProjectFile(yml('    backup:\n      dump: [mariadb-dump]\n')).errors).toEqual(['services.db.backup.restore: Required']);
    expect(parseProjectFile(yml('    backup:\n      dump: [a]\n      restore: [b]\n', '')).errors).toEqual([
      'services.db.backup: needs a volume (greenci backs up services that keep data on one)',
    ]);
  });
});

describe('which backup a restore loads', () => {
  const rec = (id: string, service: string, startedAt: number, release: string, outcome = 'success'): BackupRecord => ({
    id,
    project: 'green',
    service,
    release,
    reason: 'manual',
    kind: 'volume',
    path: `/d/${id}`,
    size: 1,
    sha256: 'x',
    startedAt,
    outcome,
  });
  const all = [
    rec('a', 'billing-db', 1, 'v0.1.0'),
    rec('b', 'billing-db', 2, 'v0.2.0'),
    rec('c', 'billing-db', 3, 'v0.2.0'),
    rec('d', 'billing-db', 4, 'v0.3.0', 'failed: exited 1'),
    rec('e', 'weight-db', 5, 'v0.3.0'),
  ];

  it("the service's newest complete one by default; by id; by the release live when it was taken", () => {
    expect(chooseBackup(all, 'billing-db').id).toBe('c');
    expect(chooseBackup(all, 'billing-db', 'a').id).toBe('a');
    expect(chooseBackup(all, 'billing-db', 'v0.2.0').id).toBe('c');
    expect(chooseBackup(all, 'billing-db', '0.1.0').id).toBe('a');
  });

  it('says why when there is none to use', () => {
    expect(() => chooseBackup(all, 'cache')).toThrow('cache has no backup to restore from');
    expect(() => chooseBackup(all, 'billing-db', 'd')).toThrow('backup d did not complete (failed: exited 1)');
    expect(() => chooseBackup(all, 'billing-db', 'e')).toThrow('backup e is of weight-db, not billing-db');
    expect(() => chooseBackup(all, 'billing-db', 'v0.3.0')).toThrow('billing-db has no backup taken while v0.3.0 was live');
    expect(() => chooseBackup(all, 'billing-db', 'zzz')).toThrow('no backup zzz (name a backup id');
  });
});
