import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupStore } from '../../engine/store/backups.js';
import { docker, envContainers, getJson, sendJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** Every file under a directory, recursively (relative names). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/**
 * A backup that cannot be written (issue 12): the disk holding greenci's backups is full (a tiny
 * tmpfs mounted over `<dataDir>/backups`, filled to the last byte, on a real host). The release
 * stops before production changes, says why, and leaves no partial file; with space again, the
 * next release backs up and goes through.
 */
describe('a full backup disk stops the release with production untouched', () => {
  let g: GreenSetup;
  let backupsDir: string;
  let mounted = false;
  const truck = `T-full-${Date.now()}`;
  const prod = (p: string) => `http://127.0.0.1:${g.ports.weight}${p}`;

  const production = async () => {
    const out: Record<string, string> = {};
    for (const [name, c] of Object.entries(await envContainers(g.project, 'production'))) {
      out[name] = `${c.Id} ${(await docker.inspectContainer(c.Id))?.State.StartedAt}`;
    }
    return out;
  };
  const release = async (message: string) => {
    await g.origin.commitAll(message);
    await g.origin.push('master');
    return g.engine.run({ project: g.project, branch: 'master' });
  };

  beforeAll(async () => {
    g = await setupGreen();
    backupsDir = path.join(g.dataDir, 'backups');
    const first = await release('chore: first release');
    expect(first.status, first.reason).toBe('success');
    expect((await sendJson('POST', prod('/weighings'), { truckId: truck, kg: 1500 })).status).toBe(201);
  });
  afterAll(async () => {
    if (mounted) execFileSync('umount', [backupsDir]);
    await g?.cleanup();
  });

  it('fails at the backup naming the disk problem; same containers, same release, no partial file', async () => {
    mkdirSync(backupsDir, { recursive: true });
    // a 64 KiB file system (needs root, as greenci's tests run), then a file that takes all of it
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', backupsDir]);
    mounted = true;
    expect(() => writeFileSync(path.join(backupsDir, 'filler'), Buffer.alloc(1024 * 1024))).toThrow(/ENOSPC/);
    const before = await production();

    const build = await release('feat: a release while the backup disk is full');

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(/the backup of (weight|billing)-db failed: .*(ENOSPC|no space left on device)/i);
    expect(build.reason).toContain('production was not changed and kept serving v0.1.0');
    expect(g.store.releases.liveRelease(g.project)?.version).toBe('v0.1.0');
    expect(await production()).toEqual(before);
    expect((await getJson(prod(`/trucks/${truck}/total`))).body.kg).toBe(1500);
    // nothing that looks like a backup is left, not even a partial one
    expect(filesUnder(backupsDir)).toEqual(['filler']);
    const backups = new BackupStore(g.store.db).all(g.project);
    expect(backups.length).toBeGreaterThan(0);
    expect(backups.every((b) => b.outcome?.startsWith('failed'))).toBe(true);
  });

  it('with space again, the next release backs up and goes through, the data intact', async () => {
    execFileSync('umount', [backupsDir]);
    mounted = false;
    const build = await release('feat: the same release with disk space');
    expect(build.status, build.reason).toBe('success');
    expect(build.version).toBe('v0.2.0');
    const ok = new BackupStore(g.store.db).all(g.project).filter((b) => b.outcome === 'success');
    expect(ok.map((b) => b.service).sort()).toEqual(['billing-db', 'weight-db']);
    expect((await getJson(prod(`/trucks/${truck}/total`))).body.kg).toBe(1500);
  });

  it('a volume copy that cannot be written starts its stopped database again: production serves, the release is refused', async () => {
    // a release whose databases have no dump tool: the next backup copies their stopped volumes
    const file = path.join(g.origin.work, 'greenci.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/ {4}backup:[^\n]*\n {6}dump:[^\n]*\n {6}restore:[^\n]*\n/g, ''));
    const plain = await release('chore: databases without their dump tools');
    expect(plain.status, plain.reason).toBe('success');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', backupsDir]);
    mounted = true;
    expect(() => writeFileSync(path.join(backupsDir, 'filler'), Buffer.alloc(1024 * 1024))).toThrow(/ENOSPC/);

    const build = await release('feat: a release while the backup disk is full again');

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(/the backup of (weight|billing)-db failed: .*(ENOSPC|no space left on device)/i);
    expect(g.store.releases.liveRelease(g.project)?.version).toBe(plain.version);
    expect(build.reason).toContain(`production was not changed and kept serving ${plain.version}`);
    // the database the copy stopped runs again, healthy, with its data
    for (const name of ['weight-db', 'billing-db']) {
      const c = (await envContainers(g.project, 'production'))[name];
      expect(c.State, name).toBe('running');
      await waitUntil(async () => (await docker.inspectContainer(c.Id))?.State.Health?.Status === 'healthy', `${name} healthy`, 60_000);
    }
    expect((await getJson(prod(`/trucks/${truck}/total`))).body.kg).toBe(1500);
    expect(filesUnder(backupsDir)).toEqual(['filler']);
  });
});
