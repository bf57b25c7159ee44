import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import type { DockerEvent } from '../../engine/docker/port.js';
import { docker, envContainers, getJson, sendJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

const DATABASES = ['billing-db', 'weight-db'] as const;

/**
 * Production's databases across releases (issue 11), through the real pipeline on a real Docker
 * engine: every build stamps its commit into its images, yet a database whose image content did
 * not change keeps running; one that did change is stopped gracefully and its data stays.
 */
describe('production databases stay up unless they changed', () => {
  let g: GreenSetup;
  const truck = `T-${Date.now()}`;
  let billId = '';
  const prod = (app: 'billing' | 'weight', p = '/health') => `http://127.0.0.1:${g.ports[app]}${p}`;

  /** Each production database's container id, start time and volume. */
  const databases = async () => {
    const containers = await envContainers(g.project, 'production');
    const out: Record<string, { id: string; startedAt: string; volume: string | undefined }> = {};
    for (const name of DATABASES) {
      const info = await docker.api.getContainer(containers[name].Id).inspect();
      expect(info.State.Running, `${name} running`).toBe(true);
      out[name] = {
        id: info.Id,
        startedAt: info.State.StartedAt,
        volume: info.Mounts.find((m) => m.Destination === '/var/lib/mysql')?.Name,
      };
    }
    return out;
  };

  /**
   * Each database of an environment started on its volume without recovering it: MariaDB says
   * "Starting crash recovery" at a start after it was killed (its files were not closed).
   */
  const expectCleanStarts = async (env: 'test' | 'production') => {
    const containers = await envContainers(g.project, env);
    for (const name of DATABASES) {
      const log = (await docker.containerLogs(containers[name].Id, 500)).join('\n');
      expect(log, `${env} ${name}: ready`).toContain('mariadbd: ready for connections');
      expect(log, `${env} ${name}: a clean start`).not.toMatch(/crash recovery|was not shut down normally/i);
    }
  };

  /** Runs `work` while recording the project's container events (kill signals, exit codes), from before it starts. */
  const withEvents = async <T>(work: () => Promise<T>): Promise<{ result: T; events: DockerEvent[] }> => {
    const events: DockerEvent[] = [];
    const stop = new AbortController();
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const watching = docker.events(
      { type: ['container'], label: [`${LABEL.project}=${g.project}`] },
      stop.signal,
      (e) => events.push(e),
      opened,
    );
    await open;
    try {
      return { result: await work(), events };
    } finally {
      stop.abort();
      await watching;
    }
  };

  const release = async (message: string) => {
    const build = await g.engine.run({ project: g.project, branch: 'master' });
    expect(build.status, `${message}: ${build.reason}`).toBe('success');
    return build;
  };

  beforeAll(async () => {
    g = await setupGreen();
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('given a first release with data in both databases', async () => {
    await g.origin.commitAll('chore: first release');
    await g.origin.push('master');
    expect((await release('v0.1.0')).version).toBe('v0.1.0');

    expect((await sendJson('POST', prod('weight', '/weighings'), { truckId: truck, kg: 2000 })).status).toBe(201);
    const bill = await sendJson('POST', prod('billing', '/bills'), { truckId: truck });
    expect(bill).toMatchObject({ status: 201, body: { amount: 1000 } });
    billId = bill.body.id;
  });

  it('a release that changes only an app leaves each database container running: same container, same start time', async () => {
    const before = await databases();
    await g.origin.commitVariant('v2', 'feat: weight API v2');
    await g.origin.push('master');

    const build = await release('v0.2.0');

    expect(build.version).toBe('v0.2.0');
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.2.0', apiVersion: 2 });
    expect(await databases()).toEqual(before);
    const logs = g.engine.logs(build.id).map((l) => l.line);
    for (const name of DATABASES) expect(logs).toContain(`service ${name}: unchanged, kept running`);
  });

  it("a release that changes the database's image replaces it: the old one gets SIGTERM, never SIGKILL, and its data survives", async () => {
    const before = await databases();
    appendFileSync(path.join(g.origin.work, 'db', 'green.cnf'), '# a change to the database image\n');
    await g.origin.commitAll('fix: db comment');
    await g.origin.push('master');

    const { result: build, events } = await withEvents(() => release('v0.2.1'));

    expect(build.version).toBe('v0.2.1');
    const after = await databases();
    for (const name of DATABASES) {
      const old = before[name].id;
      expect(after[name].id, `${name} replaced`).not.toBe(old);
      expect(after[name].volume, `${name} on the same volume`).toBe(before[name].volume);
      const signals = events.filter((e) => e.Actor?.ID === old && e.Action === 'kill').map((e) => e.Actor?.Attributes?.signal);
      expect(signals, `${name}: signals the old container received`).toEqual(['15']);
      const died = events.find((e) => e.Actor?.ID === old && e.Action === 'die');
      expect(died?.Actor?.Attributes?.exitCode, `${name}: the old container's exit code`).toBe('0');
    }
    expect((await getJson(prod('billing', `/bills/${billId}`))).body).toMatchObject({ id: billId, amount: 1000 });
    expect((await getJson(prod('weight', `/trucks/${truck}/total`))).body).toMatchObject({ kg: 2000 });
    await expectCleanStarts('production');
    // the test environment's databases were replaced by this build too (same new image): stopped cleanly as well
    await expectCleanStarts('test');
  });

  it('a rollback to a release with the older database image replaces the databases cleanly too, data intact', async () => {
    const before = await databases();
    await g.engine.rollback({ project: g.project, to: 'v0.2.0', requestedBy: 'test' });
    const after = await databases();
    for (const name of DATABASES) expect(after[name].id, `${name} replaced`).not.toBe(before[name].id);
    await expectCleanStarts('production');
    expect((await getJson(prod('billing', `/bills/${billId}`))).body).toMatchObject({ id: billId, amount: 1000 });
    expect((await getJson(prod('weight', `/trucks/${truck}/total`))).body).toMatchObject({ kg: 2000 });
  });

  it("a deleted branch's test environment is torn down with its databases shut down cleanly", async () => {
    await g.origin.checkoutNewBranch('feature/short-lived');
    await g.origin.push('feature/short-lived');
    const build = await g.engine.run({ project: g.project, branch: 'feature/short-lived' });
    expect(build.status, build.reason).toBe('success');
    const test = await envContainers(g.project, 'test');
    const ids = DATABASES.map((name) => test[name].Id);
    const { result, events: stops } = await withEvents(() => g.engine.branchDeleted(g.project, 'feature/short-lived', 'test'));
    expect(result.tornDown).toBe(true);
    for (const id of ids) {
      expect(stops.filter((e) => e.Actor?.ID === id && e.Action === 'kill').map((e) => e.Actor?.Attributes?.signal)).toEqual(['15']);
      expect(stops.find((e) => e.Actor?.ID === id && e.Action === 'die')?.Actor?.Attributes?.exitCode).toBe('0');
    }
  });
});
