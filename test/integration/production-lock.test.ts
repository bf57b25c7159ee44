import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostLocks } from '../../engine/host-locks.js';
import { openStore } from '../../engine/store/index.js';
import { MIGRATIONS } from '../../engine/store/migrations.js';
import { tempDir } from '../helpers/origin.js';

const STORE = path.resolve(import.meta.dirname, '..', '..', 'engine', 'store', 'index.ts');

describe('the production lock across greenci processes', () => {
  const dir = tempDir('greenci-lease-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('waits while another live process changes production, and takes over from one that died', async () => {
    // another greenci process takes the lease and keeps it
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { openStore } from ${JSON.stringify(STORE)};
      const s = openStore(${JSON.stringify(dir)}); const r = s.leases.tryAcquire('production:green', 'other-process', 'build #7 deploying v0.2.0');
      console.log(r.ok ? 'held' : 'refused'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(import.meta.dirname, '..', '..') },
    );
    await new Promise<void>((resolve) => holder.stdout!.on('data', (c) => String(c).includes('held') && resolve()));

    const store = openStore(dir);
    const lock = new HostLocks(store.leases, 50);
    const waits: string[] = [];
    let ran = false;
    const attempt = lock.run('production:green', 'rollback by bob', async () => (ran = true), { onWait: (m) => waits.push(m) });
    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toBe(false);
    expect(waits).toEqual([`waiting: greenci process ${holder.pid} (build #7 deploying v0.2.0) is using production:green`]);

    holder.kill('SIGKILL');
    await attempt;
    expect(ran).toBe(true);
    expect(store.leases.holder('production:green')).toBeUndefined();
    store.close();
  });

  it('one process runs its own production changes one after another, and says who it waits for', async () => {
    const store = openStore(dir);
    const lock = new HostLocks(store.leases, 10);
    const order: string[] = [];
    const waits: string[] = [];
    const job = (name: string) =>
      lock.run(
        'production:blue',
        name,
        async () => {
          order.push(`${name} start`);
          await new Promise((r) => setTimeout(r, 30));
          order.push(`${name} end`);
        },
        { onWait: (m) => waits.push(m) },
      );
    await Promise.all([job('a'), job('b')]);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(waits).toEqual(['waiting: a is using production:blue']);
    store.close();
  });

  it('two lock holders in one process exclude each other too, and a cancelled wait leaves the queue', async () => {
    const store = openStore(dir);
    const first = new HostLocks(store.leases, 10);
    const second = new HostLocks(store.leases, 10);
    const release = await first.acquire('test:green', 'build #1');
    const abort = new AbortController();
    const waiting = second.acquire('test:green', 'build #2', { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await expect(waiting).rejects.toThrow('cancelled');
    release();
    const again = await second.acquire('test:green', 'build #3');
    expect(store.leases.holder('test:green')?.purpose).toBe('build #3');
    again();
    store.close();
  });
});

describe('recovering from a greenci process that died during a deployment', () => {
  it('marks its still-running production deployment interrupted, but not one whose process is alive', async () => {
    const { createEngine } = await import('../../engine/index.js');
    const dir = tempDir('greenci-recover-');
    const config = {
      dataDir: dir,
      docker: { socket: '/var/run/docker.sock' },
      git: { authorName: 'g', authorEmail: 'g@x' },
      projects: { green: { repo: '/nowhere', productionBranch: 'master', imagePrefix: '' } },
    };
    const store = openStore(dir);
    const dep = store.releases.startDeployment({ project: 'green', env: 'production', kind: 'promote', version: 'v0.3.0' });
    store.leases.tryAcquire('production:green', 'someone-alive', 'build #3 deploying v0.3.0');
    store.close();

    let engineStore = openStore(dir);
    let engine = createEngine({ config: config as never, env: process.env, store: engineStore });
    expect(engineStore.releases.deployments('green', 'production')[0]).toMatchObject({ id: dep, status: 'running' });
    engine.close();

    const s2 = openStore(dir);
    s2.leases.release('production:green', 'someone-alive');
    s2.close();
    engineStore = openStore(dir);
    engine = createEngine({ config: config as never, env: process.env, store: engineStore });
    expect(engineStore.releases.deployments('green', 'production')[0]).toMatchObject({
      id: dep,
      status: 'interrupted',
      reason: expect.stringMatching(/^interrupted: /),
      finishedAt: expect.any(Number),
    });
    expect(engineStore.audit.list('green', 1)[0]).toMatchObject({
      action: 'recover',
      target: 'production',
      outcome: '1 interrupted production deployment marked interrupted',
    });
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a test deployment left running as interrupted, so the console and the monitor see no deploy in progress', async () => {
    const { createEngine } = await import('../../engine/index.js');
    const dir = tempDir('greenci-recover-');
    const config = {
      dataDir: dir,
      docker: { socket: '/var/run/docker.sock' },
      git: { authorName: 'g', authorEmail: 'g@x' },
      projects: { green: { repo: '/nowhere', productionBranch: 'master', imagePrefix: '' } },
    };
    const store = openStore(dir);
    const done = store.releases.startDeployment({ project: 'green', env: 'test', kind: 'deploy' });
    store.releases.finishDeployment(done, 'success');
    const dep = store.releases.startDeployment({ project: 'green', env: 'test', kind: 'deploy' });
    store.close();

    const engineStore = openStore(dir);
    const engine = createEngine({ config: config as never, env: process.env, store: engineStore });
    expect(engineStore.releases.deployments('green', 'test').map((d) => [d.id, d.status])).toEqual([
      [dep, 'interrupted'],
      [done, 'success'],
    ]);
    expect(engineStore.releases.deployments('green', 'test')[0].reason).toMatch(/^interrupted: greenci stopped during this deployment/);
    expect(engine.getSnapshot().environments.green.test).toMatchObject({ id: dep, status: 'interrupted' });
    expect(engineStore.audit.list('green', 1)[0]).toMatchObject({
      action: 'recover',
      target: 'test',
      outcome: '1 interrupted test deployment marked interrupted',
    });
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an older database: deployments marked failed as interrupted become interrupted', async () => {
    const dir = tempDir('greenci-migrate-');
    const store = openStore(dir);
    const dep = store.releases.startDeployment({ project: 'green', env: 'production', kind: 'promote', version: 'v0.3.0' });
    const failed = store.releases.startDeployment({ project: 'green', env: 'production', kind: 'promote', version: 'v0.4.0' });
    // as the schema before 'interrupted' left them (its migration runs again at the next open)
    store.db.pragma(`user_version = ${MIGRATIONS.findIndex((m) => m.includes('deployments_v4'))}`);
    // and without the columns later migrations added
    store.db.exec(
      'ALTER TABLE deployments DROP COLUMN target; DROP TABLE previews; ALTER TABLE deployments DROP COLUMN endpoints; ALTER TABLE builds DROP COLUMN outcome; DROP TABLE production_holds; ALTER TABLE builds DROP COLUMN tested; DROP TABLE backups; DROP TABLE github_calls; DROP TABLE pull_requests;',
    );
    store.db.exec(`UPDATE deployments SET status = 'failed', reason = 'interrupted: greenci stopped' WHERE id = ${dep}`);
    store.db.exec(`UPDATE deployments SET status = 'failed', reason = 'unhealthy' WHERE id = ${failed}`);
    store.close();
    const again = openStore(dir);
    expect(again.releases.deployments('green').map((d) => [d.id, d.status])).toEqual([
      [failed, 'failed'],
      [dep, 'interrupted'],
    ]);
    again.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
