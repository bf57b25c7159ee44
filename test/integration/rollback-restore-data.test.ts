import { createHash } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeName } from '../../engine/docker/names.js';
import { BackupStore } from '../../engine/store/backups.js';
import { greenci } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon.js';
import { docker, envContainers, getJson, sendJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

/**
 * `greenci rollback --restore-data` (issue 12) on a real Docker engine, the sample's MariaDB
 * databases with their own dump tools, real SQLite and the real command line: production goes back
 * to v0.1.0 with the data it had while v0.1.0 was live (the backup taken before v0.2.0 went out);
 * data written under v0.2.0 is gone, the old volume generations stay. A corrupt backup refuses it
 * before anything changes. Everything is seen through the apps' HTTP APIs.
 */
describe('rollback --restore-data', () => {
  let g: GreenSetup;
  let backups: BackupStore;
  const stamp = Date.now();
  const underV1 = `T-v1-${stamp}`;
  const underV2 = `T-v2-${stamp}`;
  const url = (app: 'billing' | 'weight', p: string) => `http://127.0.0.1:${g.ports[app]}${p}`;
  const weighings = async (truck: string) => {
    const r = await getJson(url('weight', `/trucks/${encodeURIComponent(truck)}/weighings`));
    expect(r.status).toBe(200);
    return (r.body as { kg: number }[]).map((w) => w.kg);
  };
  const versions = async () => ({
    billing: (await getJson(url('billing', '/health'))).body.version,
    weight: (await getJson(url('weight', '/health'))).body.version,
  });
  const production = async () => {
    const out: Record<string, { id: string; startedAt: string; volumes: string[] }> = {};
    for (const [name, c] of Object.entries(await envContainers(g.project, 'production'))) {
      const info = await docker.api.getContainer(c.Id).inspect();
      out[name] = { id: info.Id, startedAt: info.State.StartedAt, volumes: info.Mounts.map((m) => m.Name ?? '').filter(Boolean) };
    }
    return out;
  };
  const rollback = (...extra: string[]) =>
    greenci(['rollback', g.project, '--to', 'v0.1.0', ...extra, '--config', g.configFile], { ...g.env, USER: 'erin' }).done;
  const rollbackTo = (version: string, ...extra: string[]) =>
    greenci(['rollback', g.project, '--to', version, ...extra, '--config', g.configFile], { ...g.env, USER: 'erin' }).done;
  const weighDb = (v: string) => volumeName(g.project, 'production', 'weight-db') + v;

  beforeAll(async () => {
    g = await setupGreen();
    backups = new BackupStore(g.store.db);
    const v1 = await g.engine.run({ project: g.project, branch: 'master' });
    expect(v1.status, v1.reason).toBe('success');
    expect(await versions()).toEqual({ billing: 'v0.1.0', weight: 'v0.1.0' });
    expect((await sendJson('POST', url('weight', '/weighings'), { truckId: underV1, kg: 1200 })).status).toBe(201);

    await g.origin.commitAll('feat: second release');
    await g.origin.push('master');
    const v2 = await g.engine.run({ project: g.project, branch: 'master' });
    expect(v2.status, v2.reason).toBe('success');
    expect(await versions()).toEqual({ billing: 'v0.2.0', weight: 'v0.2.0' });
    // written while v0.2.0 is live: after the new weighing's truck, one more for the truck of v0.1.0's time
    expect((await sendJson('POST', url('weight', '/weighings'), { truckId: underV2, kg: 800 })).status).toBe(201);
    expect((await sendJson('POST', url('weight', '/weighings'), { truckId: underV1, kg: 300 })).status).toBe(201);
    expect(await weighings(underV1)).toEqual([1200, 300]);
  }, 900_000);
  afterAll(async () => {
    await g?.cleanup();
  });

  it('greenci releases says v0.1.0 is older than the data and how a rollback brings its data back', async () => {
    const r = await greenci(['releases', g.project, '--config', g.configFile], g.env).done;

    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\*\s+v0\.2\.0 /m);
    expect(r.stdout).toContain(
      "data is newer than v0.1.0: a rollback keeps today's data (greenci rollback --restore-data puts back the data of the release rolled back to)",
    );
  });

  it('a corrupt backup of v0.1.0 refuses it, naming the service: apps, data, volumes and backups stay as they were', async () => {
    const ofV1 = backups.all(g.project).find((b) => b.service === 'weight-db' && b.release === 'v0.1.0' && b.outcome === 'success')!;
    expect(ofV1).toBeDefined();
    const bytes = readFileSync(ofV1.path);
    const before = await production();
    const count = backups.all(g.project).length;
    truncateSync(ofV1.path, Math.floor(ofV1.size / 2));
    try {
      const r = await rollback('--restore-data');

      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(`cannot roll back to v0\\.1\\.0 with its data: weight-db: backup ${ofV1.id} is unusable: .*production was not changed`),
      );
      expect(await versions()).toEqual({ billing: 'v0.2.0', weight: 'v0.2.0' });
      expect(await weighings(underV2)).toEqual([800]);
      expect(await weighings(underV1)).toEqual([1200, 300]);
      expect(await production()).toEqual(before);
      expect(backups.all(g.project).length).toBe(count);
      const audit = g.store.audit.list(g.project).find((a) => a.action === 'rollback');
      expect(audit).toMatchObject({ actor: 'erin', target: 'v0.1.0', detail: { from: 'v0.2.0', restoreData: true } });
      expect(audit?.outcome).toMatch(new RegExp(`^refused: weight-db: backup ${ofV1.id} is unusable`));
    } finally {
      writeFileSync(ofV1.path, bytes);
    }
  });

  it("a restore that fails (billing-db's dump does not load) switches no app: the error names billing-db, weight-db's data goes back too", async () => {
    const all = backups.all(g.project);
    const ofV1 = all.find((b) => b.service === 'billing-db' && b.release === 'v0.1.0' && b.outcome === 'success')!;
    const bytes = readFileSync(ofV1.path);
    // a well-formed backup (size and sha256 as recorded) that mariadb refuses to load
    const bad = gzipSync('THIS IS NOT SQL;\n');
    writeFileSync(ofV1.path, bad);
    backups.finished(ofV1.id, { outcome: 'success', size: bad.length, sha256: createHash('sha256').update(bad).digest('hex') });
    const before = await production();
    try {
      const r = await rollback('--restore-data');

      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(
          `rollback to v0\\.1\\.0 with its data failed: restore of billing-db from ${ofV1.id} failed: its restore command \\(mariadb\\) exited 1.*production apps were not switched \\(v0\\.2\\.0 serves\\)`,
        ),
      );
      expect(r.stderr).toContain(`weight-db is back on ${weighDb('')}`);
      expect(await versions()).toEqual({ billing: 'v0.2.0', weight: 'v0.2.0' });
      expect(await weighings(underV2)).toEqual([800]);
      expect(await weighings(underV1)).toEqual([1200, 300]);
      const after = await production();
      expect(after.weight.id).toBe(before.weight.id);
      expect(after.billing.id).toBe(before.billing.id);
      expect(after['weight-db'].volumes).toEqual([weighDb('')]);
      expect(await docker.volumeExists(weighDb('-g2'))).toBe(false);
      const audit = g.store.audit.list(g.project).find((a) => a.action === 'rollback');
      expect(audit?.outcome).toMatch(/^failed: restore of billing-db .*production apps were not switched$/);
    } finally {
      writeFileSync(ofV1.path, bytes);
      backups.finished(ofV1.id, { outcome: 'success', size: ofV1.size, sha256: ofV1.sha256 });
    }
  });

  it("puts v0.1.0 back with v0.1.0's data: what was written under v0.2.0 is gone, the old volume generations are kept, audited", async () => {
    const taken = backups.all(g.project).filter((b) => b.release === 'v0.1.0' && b.outcome === 'success');
    expect(taken.map((b) => b.service).sort()).toEqual(['billing-db', 'weight-db']);
    const started = Date.now();

    const r = await rollback('--restore-data', '--json');

    const ms = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      to: string;
      restored: { service: string; backup: string; volume: string; previousVolume: string }[];
    };
    expect(out.to).toBe('v0.1.0');
    expect(out.restored.map((d) => [d.service, d.backup]).sort()).toEqual(taken.map((b) => [b.service, b.id]).sort());
    expect(await versions()).toEqual({ billing: 'v0.1.0', weight: 'v0.1.0' });
    expect(await weighings(underV1)).toEqual([1200]);
    expect(await weighings(underV2)).toEqual([]);
    // the data as it was under v0.2.0 is still on the old generation, and was backed up first
    expect((await production())['weight-db'].volumes).toEqual([weighDb('-g2')]);
    expect(await docker.volumeExists(weighDb(''))).toBe(true);
    expect(
      backups
        .all(g.project)
        .filter((b) => b.startedAt >= started && b.release === 'v0.2.0' && b.reason === 'rollback to v0.1.0')
        .map((b) => b.service)
        .sort(),
    ).toEqual(['billing-db', 'weight-db']);
    const rows = g.store.audit.list(g.project);
    const audit = rows.find((a) => a.action === 'rollback');
    expect(audit).toMatchObject({ actor: 'erin', target: 'v0.1.0', detail: { from: 'v0.2.0', restoreData: true } });
    for (const b of taken) expect(audit?.outcome).toContain(b.id);
    expect(audit?.outcome).toMatch(/^success; data restored from backups /);
    expect(
      rows
        .filter((a) => a.action === 'restore-data' && a.id > audit!.id)
        .map((a) => [a.actor, a.target])
        .sort(),
    ).toEqual([
      ['erin', 'billing-db'],
      ['erin', 'weight-db'],
    ]);
    console.log(`rollback --restore-data (the CLI, 2 databases from dumps, apps switched): ${ms} ms`);
  });

  it('a plain rollback never touches data', async () => {
    await g.origin.commitAll('feat: third release');
    await g.origin.push('master');
    // production is held after the rollback: greenci release puts the tested build out
    const built = await g.engine.run({ project: g.project, branch: 'master' });
    expect(built.status, built.reason).toBe('success');
    const released = await g.engine.release({ project: g.project, requestedBy: 'erin' });
    expect(released.release?.version).toBe('v0.3.0');
    expect((await sendJson('POST', url('weight', '/weighings'), { truckId: underV1, kg: 50 })).status).toBe(201);
    const volumes = (await production())['weight-db'].volumes;

    const r = await rollback();

    expect(r.code, r.stderr).toBe(0);
    expect(await versions()).toEqual({ billing: 'v0.1.0', weight: 'v0.1.0' });
    expect(await weighings(underV1)).toEqual([1200, 50]);
    expect((await production())['weight-db'].volumes).toEqual(volumes);
  });

  it("through the daemon: rollback --to v0.3.0 --restore-data goes over its control socket and brings back v0.3.0's data", async () => {
    // v0.1.0 is live again (plain rollback above); a weighing written now is newer than v0.3.0's data
    expect((await sendJson('POST', url('weight', '/weighings'), { truckId: underV1, kg: 7 })).status).toBe(201);
    expect(await weighings(underV1)).toEqual([1200, 50, 7]);
    const d = await startDaemon(g.configFile, g.env);
    try {
      const r = await rollbackTo('v0.3.0', '--restore-data');

      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('with its data (asked by erin, through the daemon)');
      expect(r.stdout).toMatch(
        /✔ weight-db has the data of backup \S+ \(taken while v0\.3\.0 was live\): it runs on \S+-g3; \S+-g2 is kept/,
      );
      expect(await versions()).toEqual({ billing: 'v0.3.0', weight: 'v0.3.0' });
      expect(await weighings(underV1)).toEqual([1200, 50]);
    } finally {
      await d.stop();
    }
  });
});
