import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDeps } from '../../engine/backup/production.js';
import { restoreService } from '../../engine/backup/restore.js';
import { backupProduction } from '../../engine/backup/take.js';
import { EventBus } from '../../engine/events.js';
import { HostSecrets } from '../../engine/host-secrets.js';
import { Recorder } from '../../engine/recorder.js';
import { BackupStore } from '../../engine/store/backups.js';
import { docker, envContainers, getJson, sendJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

const DATABASES = ['billing-db', 'weight-db'] as const;

// billing-db's own dump tool for the test: MariaDB's, in a bash the database image has; it fails while
// /tmp/fail-backup exists in the container, so a test can make a dump exit 1 without a new release
const DUMP = [
  'bash',
  '-c',
  'if [ -e /tmp/fail-backup ]; then echo "backup refused: /tmp/fail-backup" >&2; exit 1; fi; exec mariadb-dump --single-transaction --databases billing',
];
const RESTORE = ['mariadb'];

/** The sample's greenci.yml without its databases' backup tools, so greenci copies their volumes (the path a database without a dump tool takes). */
function withoutBackupTools(file: string): void {
  const text = readFileSync(file, 'utf8');
  const stripped = text.replace(/ {4}backup:[^\n]*\n {6}dump:[^\n]*\n {6}restore:[^\n]*\n/g, '');
  writeFileSync(file, stripped);
}

/**
 * Backups before production changes (issue 12), through the real pipeline on a real Docker engine
 * with real SQLite: before a release and a rollback every production service with a volume is
 * backed up (its volume through Docker's archive API, or greenci.yml's dump command), tied to the
 * release that was live, recorded with size and sha256; a failing dump stops the release before
 * production changes.
 */
describe('backups before every production change', () => {
  let g: GreenSetup;
  let backups: BackupStore;
  const truck = `T-${Date.now()}`;
  const prod = (app: 'billing' | 'weight', p: string) => `http://127.0.0.1:${g.ports[app]}${p}`;

  const release = async (message: string) => {
    await g.origin.commitAll(message);
    await g.origin.push('master');
    return g.engine.run({ project: g.project, branch: 'master' });
  };
  const production = async () => {
    const containers = await envContainers(g.project, 'production');
    const out: Record<string, { id: string; startedAt: string }> = {};
    for (const [name, c] of Object.entries(containers)) {
      const info = await docker.api.getContainer(c.Id).inspect();
      out[name] = { id: info.Id, startedAt: info.State.StartedAt };
    }
    return out;
  };
  const execIn = async (service: string, script: string) => {
    const c = (await envContainers(g.project, 'production'))[service];
    expect(await docker.execExitCode(c.Id, ['bash', '-c', script], 10_000)).toBe(0);
  };
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

  beforeAll(async () => {
    g = await setupGreen();
    // the sample's databases come with their own dump tools; without them greenci copies the volume, which this file tests
    const file = path.join(g.origin.work, 'greenci.yml');
    const stripped = readFileSync(file, 'utf8').replace(/ {4}backup:.*\n {6}dump: .*\n {6}restore: .*\n/g, '');
    expect(stripped).not.toContain('backup:');
    writeFileSync(file, stripped);
    backups = new BackupStore(g.store.db);
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('a first release has nothing to back up, and says so', async () => {
    withoutBackupTools(path.join(g.origin.work, 'greenci.yml'));
    const build = await release('chore: first release');
    expect(build.status, build.reason).toBe('success');
    expect(g.engine.logs(build.id).map((l) => l.line)).toContain('backup: production has no live release yet: nothing to back up');
    expect(backups.all(g.project)).toEqual([]);
  });

  it("a release backs up each database's volume first, tied to the live release, checksummed, mode 0600", async () => {
    expect((await sendJson('POST', prod('weight', '/weighings'), { truckId: truck, kg: 2000 })).status).toBe(201);
    expect((await sendJson('POST', prod('billing', '/bills'), { truckId: truck })).status).toBe(201);
    // this release adds billing-db's own dump tool; the backup before it still follows the live release's greenci.yml
    const file = path.join(g.origin.work, 'greenci.yml');
    const text = readFileSync(file, 'utf8');
    const anchor = '  billing-db:\n    build: db\n    volume: /var/lib/mysql\n';
    expect(text).toContain(anchor);
    writeFileSync(
      file,
      text.replace(anchor, `${anchor}    backup:\n      dump: ${JSON.stringify(DUMP)}\n      restore: ${JSON.stringify(RESTORE)}\n`),
    );

    const started = Date.now();
    const build = await release('feat: billing-db dumps its own data');
    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBe('v0.2.0');

    const taken = backups.all(g.project);
    expect(taken.map((b) => b.service).sort()).toEqual([...DATABASES]);
    for (const b of taken) {
      expect(b).toMatchObject({ release: 'v0.1.0', reason: 'release v0.2.0', kind: 'volume', outcome: 'success' });
      expect(b.startedAt).toBeGreaterThanOrEqual(started);
      expect(b.path).toBe(path.join(g.dataDir, 'backups', g.project, b.service, `${b.id}.tar.gz`));
      expect(sha256(b.path)).toBe(b.sha256);
      expect(statSync(b.path).size).toBe(b.size);
      expect(statSync(b.path).mode & 0o777).toBe(0o600);
    }
    const weight = taken.find((b) => b.service === 'weight-db')!;
    expect(gunzipSync(readFileSync(weight.path)).toString('latin1')).toContain(truck);
    const logs = g.engine.logs(build.id).map((l) => l.line);
    expect(logs.some((l) => l.startsWith('backup: weight-db (volume /var/lib/mysql) → '))).toBe(true);
    // listed for retention: newest first, the fields it reads
    expect(backups.listBackups(g.project)[0]).toEqual({
      id: taken[0].id,
      release: 'v0.1.0',
      service: taken[0].service,
      takenAt: taken[0].startedAt,
      size: taken[0].size,
      sha256: taken[0].sha256,
      path: taken[0].path,
    });
  });

  it('a failing dump stops the release before anything changes: same containers, same release live', async () => {
    await execIn('billing-db', 'touch /tmp/fail-backup');
    const before = await production();
    const count = backups.all(g.project).length;

    const build = await release('feat: a release whose backup fails');
    await execIn('billing-db', 'rm /tmp/fail-backup');

    expect(build.status).toBe('failed');
    expect(build.reason).toContain('the backup of billing-db failed');
    expect(build.reason).toContain('its dump command (bash) exited 1: backup refused: /tmp/fail-backup');
    expect(build.reason).toContain('production was not changed and kept serving v0.2.0');
    expect(g.store.releases.liveRelease(g.project)?.version).toBe('v0.2.0');
    expect(await production()).toEqual(before);
    const failed = backups.all(g.project).slice(0, backups.all(g.project).length - count);
    expect(failed.map((b) => [b.service, b.kind, b.outcome?.split(':')[0]])).toEqual([['billing-db', 'dump', 'failed']]);
    expect(backups.listBackups(g.project).some((b) => b.id === failed[0].id)).toBe(false);
  });

  it("with greenci.yml's dump command, the dump is what is stored; a rollback is backed up too", async () => {
    const build = await release('feat: a release after the failed one');
    expect(build.status, build.reason).toBe('success');
    const dump = backups.all(g.project).find((b) => b.service === 'billing-db' && b.reason === `release ${build.version}`)!;
    expect(dump).toMatchObject({ kind: 'dump', release: 'v0.2.0', outcome: 'success' });
    expect(dump.path.endsWith('.sql.gz')).toBe(true);
    expect(sha256(dump.path)).toBe(dump.sha256);
    const sql = gunzipSync(readFileSync(dump.path)).toString();
    expect(sql).toContain('CREATE DATABASE /*!32312 IF NOT EXISTS*/ `billing`');
    expect(sql).toMatch(new RegExp(`INSERT INTO \`bills\` VALUES\\s[^;]*'${truck}'`));

    await g.engine.rollback({ project: g.project, to: 'v0.2.0', requestedBy: 'bob' });
    const rollback = backups.all(g.project).filter((b) => b.reason === 'rollback to v0.2.0');
    expect(rollback.map((b) => [b.service, b.release, b.outcome]).sort()).toEqual([
      ['billing-db', build.version, 'success'],
      ['weight-db', build.version, 'success'],
    ]);
    for (const b of rollback) expect(sha256(b.path)).toBe(b.sha256);
    expect(rollback.map((b) => b.requestedBy)).toEqual(['bob', 'bob']);
  });

  it("restores from a dump with greenci.yml's restore command: a bill written before the dump is there, one after it is gone", async () => {
    const recorder = new Recorder(g.store, new EventBus());
    const deps = backupDeps(docker, recorder, g.config);
    const kept = await sendJson('POST', prod('billing', '/bills'), { truckId: truck });
    expect(kept.status).toBe(201);
    const live = g.store.releases.liveRelease(g.project)!;
    const t0 = Date.now();
    const [dump] = await backupProduction(deps, {
      project: g.project,
      spec: g.store.releases.specOf(live.id),
      release: live.version,
      reason: 'manual',
      requestedBy: 'alice',
      service: 'billing-db',
      log: () => undefined,
    });
    const dumpMs = Date.now() - t0;
    expect(dump.kind).toBe('dump');
    const gone = await sendJson('POST', prod('billing', '/bills'), { truckId: truck });
    expect(gone.status).toBe(201);

    const r = await restoreService(
      { ...deps, recorder, secrets: new HostSecrets(() => g.config, process.env) },
      { project: g.project, service: 'billing-db', from: dump.id, requestedBy: 'alice' },
    );

    expect(r.volume).toBe(`${r.previousVolume}-g2`);
    const ids = ((await getJson(prod('billing', '/bills'))).body as { id: string }[]).map((b) => b.id);
    expect(ids).toContain(kept.body.id);
    expect(ids).not.toContain(gone.body.id);
    console.log(`billing-db dump backup ${dumpMs} ms; restore from the dump ${r.ms} ms`);
  });
});
