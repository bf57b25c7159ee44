import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDeps } from '../../engine/backup/production.js';
import { restoreService } from '../../engine/backup/restore.js';
import { backupProduction } from '../../engine/backup/take.js';
import { EventBus } from '../../engine/events.js';
import { HostSecrets } from '../../engine/host-secrets.js';
import { Recorder } from '../../engine/recorder.js';
import { BackupStore } from '../../engine/store/backups.js';
import { greenci } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon.js';
import { docker, envContainers, getJson, sendJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

/** The sample's greenci.yml without its databases' backup tools, so greenci copies their volumes (the path a database without a dump tool takes). */
function withoutBackupTools(file: string): void {
  const text = readFileSync(file, 'utf8');
  const stripped = text.replace(/ {4}backup:[^\n]*\n {6}dump:[^\n]*\n {6}restore:[^\n]*\n/g, '');
  writeFileSync(file, stripped);
}

/**
 * Restore (issue 12) on a real Docker engine with real SQLite: weight-db's data is put back from a
 * volume backup onto a fresh generation of its volume (the old one kept); a truncated backup is
 * refused and nothing changes.
 */
describe('restore a production service from a backup', () => {
  let g: GreenSetup;
  let recorder: Recorder;
  let backups: BackupStore;
  const first = `T-first-${Date.now()}`;
  const later = `T-later-${Date.now()}`;
  const prod = (p: string) => `http://127.0.0.1:${g.ports.weight}${p}`;
  const restore = (from?: string) =>
    restoreService(
      // the databases' passwords, as the engine gives them: from the secrets file greenci's config names
      { ...backupDeps(docker, recorder, g.config), recorder, secrets: new HostSecrets(() => g.config, process.env) },
      {
        project: g.project,
        service: 'weight-db',
        from,
        requestedBy: 'alice',
      },
    );
  const weightDb = async () => {
    const c = (await envContainers(g.project, 'production'))['weight-db'];
    const info = await docker.api.getContainer(c.Id).inspect();
    return { id: info.Id, startedAt: info.State.StartedAt, volume: info.Mounts.find((m) => m.Destination === '/var/lib/mysql')?.Name };
  };
  const total = async (truck: string) => (await getJson(prod(`/trucks/${truck}/total`))).body.kg;

  beforeAll(async () => {
    g = await setupGreen();
    recorder = new Recorder(g.store, new EventBus());
    backups = new BackupStore(g.store.db);
    withoutBackupTools(path.join(g.origin.work, 'greenci.yml'));
    await g.origin.commitAll('chore: first release');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master' });
    expect(build.status, build.reason).toBe('success');
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('puts the data of the backup back: a write before it is there, a write after it is gone; the old volume generation is kept', async () => {
    expect((await sendJson('POST', prod('/weighings'), { truckId: first, kg: 1200 })).status).toBe(201);
    const t0 = Date.now();
    const [taken] = await backupProduction(backupDeps(docker, recorder, g.config), {
      project: g.project,
      spec: g.store.releases.specOf(g.store.releases.liveRelease(g.project)!.id),
      release: 'v0.1.0',
      reason: 'manual',
      requestedBy: 'alice',
      service: 'weight-db',
      log: () => undefined,
    });
    const backupMs = Date.now() - t0;
    expect((await sendJson('POST', prod('/weighings'), { truckId: later, kg: 800 })).status).toBe(201);
    expect(await total(later)).toBe(800);
    const before = await weightDb();

    const r = await restore(taken.id);

    expect(r.backup.id).toBe(taken.id);
    expect(r.previousVolume).toBe(before.volume);
    expect(r.volume).toBe(`${before.volume}-g2`);
    const after = await weightDb();
    expect(after.volume).toBe(r.volume);
    expect(await total(first)).toBe(1200);
    expect(await total(later)).toBe(0);
    // the data as it was (with the later write) was backed up first, and its volume is still there
    expect(r.before).toMatchObject({ service: 'weight-db', reason: 'restore', outcome: 'success' });
    expect(await docker.volumeExists(before.volume!)).toBe(true);
    const audit = g.store.audit.list(g.project).find((a) => a.action === 'restore-data');
    expect(audit).toMatchObject({ actor: 'alice', target: 'weight-db' });
    expect(audit?.outcome).toContain(`success: weight-db on ${r.volume} from backup ${taken.id}`);
    console.log(`weight-db volume backup ${backupMs} ms; restore (verify, backup first, new generation, start, healthy) ${r.ms} ms`);
  });

  it('a corrupt (truncated) backup is refused before anything changes', async () => {
    const newest = backups.listBackups(g.project).find((b) => b.service === 'weight-db')!;
    truncateSync(newest.path, Math.floor(newest.size / 2));
    const before = await weightDb();
    const count = backups.all(g.project).length;

    await expect(restore(newest.id)).rejects.toThrow(
      new RegExp(
        `cannot restore weight-db: backup ${newest.id} is unusable: .* has \\d+ bytes; ${newest.size} were recorded .*production was not changed`,
      ),
    );

    expect(await weightDb()).toEqual(before);
    expect(backups.all(g.project).length).toBe(count);
    expect(readFileSync(newest.path).length).toBe(Math.floor(newest.size / 2));
  });

  it('the command line: greenci backup takes one now, greenci backups lists it, greenci restore puts it back', async () => {
    const cli = async (args: string[]) => {
      const r = await greenci([...args, '--config', g.configFile], { ...g.env, USER: 'carol' }).done;
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const taken = JSON.parse((await cli(['backup', g.project, '--service', 'weight-db', '--json'])).stdout) as {
      id: string;
      sha256: string;
    }[];
    expect(taken).toHaveLength(1);
    const listed = JSON.parse((await cli(['backups', g.project, '--json'])).stdout) as {
      id: string;
      requestedBy: string;
      reason: string;
    }[];
    expect(listed[0]).toMatchObject({ id: taken[0].id, requestedBy: 'carol', reason: 'manual' });
    const table = (await cli(['backups', g.project])).stdout;
    expect(table.split('\n')[0]).toMatch(/^ID +TAKEN \(UTC\) +SERVICE +RELEASE +REASON +KIND +SIZE +SHA256$/);
    expect(table).toContain(taken[0].sha256.slice(0, 12));
    const restored = await cli(['restore', g.project, 'weight-db', '--from', taken[0].id]);
    expect(restored.stdout).toMatch(new RegExp(`weight-db restored from backup ${taken[0].id} .* it runs on \\S+-g3; \\S+-g2 is kept`));
    expect(await total(first)).toBe(1200);
  });
});

describe("restore with the sample's own tools (mariadb-dump, mariadb)", () => {
  let g: GreenSetup;
  const truck = `T-dump-${Date.now()}`;

  beforeAll(async () => {
    g = await setupGreen();
    const build = await g.engine.run({ project: g.project, branch: 'master' });
    expect(build.status, build.reason).toBe('success');
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('a dump of weight-db loads back into a fresh volume generation: the write before it is there, the one after it is gone', async () => {
    const recorder = new Recorder(g.store, new EventBus());
    const deps = backupDeps(docker, recorder, g.config);
    const prod = (p: string) => `http://127.0.0.1:${g.ports.weight}${p}`;
    expect((await sendJson('POST', prod('/weighings'), { truckId: truck, kg: 500 })).status).toBe(201);
    const live = g.store.releases.liveRelease(g.project)!;
    const [dump] = await backupProduction(deps, {
      project: g.project,
      spec: g.store.releases.specOf(live.id),
      release: live.version,
      reason: 'manual',
      requestedBy: 'alice',
      service: 'weight-db',
      log: () => undefined,
    });
    expect(dump.kind).toBe('dump');
    expect((await sendJson('POST', prod('/weighings'), { truckId: `${truck}-later`, kg: 300 })).status).toBe(201);

    const r = await restoreService(
      { ...deps, recorder, secrets: new HostSecrets(() => g.config, process.env) },
      { project: g.project, service: 'weight-db', requestedBy: 'alice' },
    );

    expect(r.backup.id).toBe(dump.id);
    expect(r.volume).toBe(`${r.previousVolume}-g2`);
    expect((await getJson(prod(`/trucks/${truck}/total`))).body.kg).toBe(500);
    expect((await getJson(prod(`/trucks/${truck}-later/total`))).body.kg).toBe(0);
    console.log(`sample tools: weight-db restore from its dump ${r.ms} ms`);
  });

  it('through the daemon: greenci backup, backups and restore go over its control socket', async () => {
    const d = await startDaemon(g.configFile, g.env);
    try {
      const cli = async (args: string[]) => {
        const r = await greenci([...args, '--config', g.configFile], { ...g.env, USER: 'dave' }).done;
        expect(r.code, r.stderr).toBe(0);
        return r;
      };
      const backup = await cli(['backup', g.project, '--service', 'weight-db']);
      expect(backup.stderr).toContain(`backing up ${g.project} weight-db through the daemon...`);
      const listed = JSON.parse((await cli(['backups', g.project, '--json'])).stdout) as {
        id: string;
        requestedBy: string;
        kind: string;
      }[];
      expect(listed[0]).toMatchObject({ requestedBy: 'dave', kind: 'dump' });
      expect(backup.stdout).toContain(listed[0].id);
      const restored = await cli(['restore', g.project, 'weight-db', '--from', listed[0].id]);
      expect(restored.stderr).toContain('(asked by dave, through the daemon)');
      expect(restored.stdout).toMatch(/it runs on \S+-g3; \S+-g2 is kept/);
      expect((await getJson(`http://127.0.0.1:${g.ports.weight}/trucks/${truck}/total`)).body.kg).toBe(500);
    } finally {
      await d.stop();
    }
  });
});
