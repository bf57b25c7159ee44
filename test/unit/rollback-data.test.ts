import { describe, expect, it } from 'vitest';
import { chooseBackup } from '../../engine/backup/choose.js';
import type { BackupRecord } from '../../engine/store/backups.js';
import { dataNewerLine, dataNewerThan, releasesDataNote, rollbackDataNote } from '../../views/format/data-age.js';
import { release } from '../helpers/console-fixtures.js';

const v1 = release(1, 'v0.1.0');
const v2 = release(2, 'v0.2.0');
const v3 = release(3, 'v0.3.0');
const all = [v3, v2, v1];

describe('is production data newer than a rollback target', () => {
  it('older than the data: a later release was deployed after it', () => {
    expect(dataNewerThan(v1, all, v3.id)).toBe(true);
    expect(dataNewerThan(v2, all, v3.id)).toBe(true);
  });

  it('a newer release than the live one is older than the data too: the live one ran after it (a rollback brought it back)', () => {
    expect(dataNewerThan(v3, all, v1.id)).toBe(true);
  });

  it('not the live release itself, nor the newest release when production stopped on it', () => {
    expect(dataNewerThan(v3, all, v3.id)).toBe(false);
    expect(dataNewerThan(v3, all, undefined)).toBe(false);
    expect(dataNewerThan(v2, all, undefined)).toBe(true);
    expect(dataNewerThan(v1, [v1], undefined)).toBe(false);
  });
});

describe('what the rollback picker and greenci releases say', () => {
  it('the picker: the line naming the target and --restore-data, only for a target older than the data', () => {
    expect(rollbackDataNote(v1, all, v3.id)).toBe(
      "data is newer than v0.1.0: rolling back keeps today's data (greenci rollback --restore-data to put back the data of v0.1.0)",
    );
    expect(rollbackDataNote(v1, all, v3.id)).toBe(dataNewerLine('v0.1.0'));
    expect(rollbackDataNote(v3, all, v3.id)).toBeUndefined();
  });

  it('greenci releases: one line under the table naming the targets older than the data', () => {
    expect(releasesDataNote([v2, v1], v2.id)).toBe(
      "data is newer than v0.1.0: a rollback keeps today's data (greenci rollback --restore-data puts back the data of the release rolled back to)",
    );
    expect(releasesDataNote(all, v3.id)).toMatch(/^data is newer than v0\.2\.0 and v0\.1\.0: /);
    expect(releasesDataNote([release(4, 'v0.4.0'), ...all], 4)).toMatch(/^data is newer than 3 releases \(v0\.3\.0 … v0\.1\.0\): /);
    expect(releasesDataNote([v1], v1.id)).toBeUndefined();
    expect(releasesDataNote([], undefined)).toBeUndefined();
  });
});

describe('which backup rollback --restore-data loads for a service', () => {
  const backup = (id: string, service: string, release: string | undefined, startedAt: number, outcome = 'success'): BackupRecord => ({
    id,
    project: 'green',
    service,
    release,
    reason: 'release',
    kind: 'dump',
    path: `/backups/${id}`,
    size: 10,
    sha256: 'ab',
    startedAt,
    outcome,
  });
  const records = [
    backup('b1', 'weight-db', 'v0.1.0', 100),
    backup('b2', 'weight-db', 'v0.1.0', 200),
    backup('b3', 'weight-db', 'v0.1.0', 300, 'failed: dump exited 1'),
    backup('b4', 'weight-db', 'v0.2.0', 400),
    backup('b5', 'billing-db', 'v0.2.0', 500),
  ];

  it('the newest complete one taken while the target was live', () => {
    expect(chooseBackup(records, 'weight-db', 'v0.1.0').id).toBe('b2');
    expect(chooseBackup(records, 'weight-db', 'v0.2.0').id).toBe('b4');
  });

  it('none for that release: refused, naming the service', () => {
    expect(() => chooseBackup(records, 'billing-db', 'v0.1.0')).toThrow('billing-db has no backup taken while v0.1.0 was live');
  });
});
