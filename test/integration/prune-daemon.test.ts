import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import type { PruneReport } from '../../engine/prune/types.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { busyboxImage, runBusybox } from '../helpers/busybox.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * `greenci prune` and the disk through a running daemon (its control socket), and the daemon's
 * scheduled prune (`retention.schedule`, picked up on SIGHUP). What is left to prune is what a
 * greenci killed mid-release leaves: a stopped app container of a release that never went live,
 * and its image. No build runs here: the release flow's prune is tested in prune.test.ts.
 */
describe('greenci prune through the daemon, and on its schedule', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  let image = '';
  const cli = (args: string[]) => greenciDone([...args, '--config', g.configFile], { ...g.env, USER: 'olivia', SUDO_USER: '' });
  const config = (schedule: string) =>
    `reconcile:\n  schedule: "0 0 1 1 *"\nmetrics:\n  listen: 127.0.0.1:0\nretention:\n  schedule: "${schedule}"`;
  /** A stopped app of a release that never went live, from an image of the project's. */
  const leftover = async (release: string) =>
    runBusybox({
      image,
      name: `${g.project}-production-weight-${release}`,
      script: 'true',
      labels: {
        [LABEL.project]: g.project,
        [LABEL.env]: 'production',
        [LABEL.release]: release,
        [LABEL.service]: 'weight',
        [LABEL.role]: 'app',
        [LABEL.slot]: 'b',
      },
    });

  beforeAll(async () => {
    g = await setupGreen({ noEngine: true, extra: config('0 0 1 1 *') });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
    image = await busyboxImage(g.project);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('greenci prune --dry-run and greenci prune go through the daemon: the same report, audited under who asked', async () => {
    const id = await leftover('v9.0.0');
    await waitUntil(async () => (await docker.inspectContainer(id))?.State.Status === 'exited', 'the leftover to stop');

    const dry = await cli(['prune', g.project, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const [plan] = JSON.parse(dry.stdout) as PruneReport[];
    expect(plan.removed.map((o) => [o.kind, o.what, o.reason, o.outcome])).toEqual([
      ['container', `${g.project}-production-weight-v9.0.0`, 'stopped app weight of release v9.0.0, neither live nor warm', 'would'],
      [
        'image',
        expect.stringMatching(new RegExp(`^greenci-test-busybox:${g.project} \\(sha256:[0-9a-f]{12}\\)$`)),
        'an image: no kept release, the test environment, the newest tested build or a running build needs it',
        'would',
      ],
    ]);
    expect(await docker.inspectContainer(id)).toBeDefined();

    const r = await cli(['prune', g.project]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pruning ${g.project} (asked by olivia, through the daemon)...`);
    expect(r.stdout).toMatch(new RegExp(`^prune ${g.project}: removed 1 container, 1 image, [\\d.]+ [KMG]?B freed$`, 'm'));
    expect(await docker.inspectContainer(id)).toBeUndefined();
    expect(await docker.imageId(image)).toBeUndefined();
    expect(store.audit.list(g.project, 5).find((a) => a.action === 'prune')).toMatchObject({
      actor: 'olivia',
      outcome: expect.stringMatching(/^removed 1 container, 1 image: /),
      detail: { removed: [expect.objectContaining({ kind: 'container', outcome: 'removed' }), expect.objectContaining({ kind: 'image' })] },
    });
  });

  it('greenci status through the daemon ends with the disk greenci takes and the free space; /metrics has the same gauges', async () => {
    const status = await cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /^disk greenci: images [\d.]+ [KMG]?B, build cache [\d.]+ [KMG]?B, containers [\d.]+ [KMG]?B, volumes [\d.]+ [KMG]?B \(data, never pruned\); database [\d.]+ [KMG]?B, data dir [\d.]+ [KMG]?B$/m,
    );
    expect(status.stdout).toMatch(/^disk free: [\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B \(\d+ %\) on Docker's data root \//m);
    expect(status.stdout).toMatch(new RegExp(`^disk free: .* on greenci's data dir ${g.dataDir}`, 'm'));
    const json = JSON.parse((await cli(['status', '--json'])).stdout) as { disk: { greenci: { database: number } } };
    expect(json.disk.greenci.database).toBeGreaterThan(0);

    const address = d.logs.find((e) => typeof e.metrics === 'string')!.metrics as string;
    // a scrape never waits for Docker: the first starts a reading, a later one shows it
    const text = await waitUntil(
      async () => {
        const body = await (await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
        return body.includes('greenci_disk_used_bytes{kind="database"}') && body;
      },
      'the disk gauges',
      60_000,
      500,
    );
    expect(text).toMatch(/^greenci_disk_free_bytes\{filesystem="docker",path="\/[^"]*"\} \d+$/m);
    expect(text).toMatch(new RegExp(`^greenci_disk_size_bytes\\{filesystem="data_dir",path="${g.dataDir}"\\} \\d+$`, 'm'));
  });

  it('on retention.schedule (SIGHUP picks a new one up) the daemon prunes every project on its own, audited as greenci (prune)', async () => {
    image = await busyboxImage(g.project);
    const id = await leftover('v9.1.0');
    g.writeConfig({ extra: config('*/2 * * * * *') });
    const before = d.logs.filter((e) => /^config reload(ed| failed)/.test(e.msg)).length;
    d.child.kill('SIGHUP');
    await waitUntil(() => d.logs.filter((e) => /^config reload(ed| failed)/.test(e.msg))[before], 'the daemon to reload its config');

    const logged = await d.waitForLog((e) => e.msg.startsWith(`prune of ${g.project}: removed 1 container, 1 image`), 60_000);
    expect(logged).toMatchObject({ project: g.project, removed: 2 });
    expect(await docker.inspectContainer(id)).toBeUndefined();
    expect(store.audit.list(g.project, 5).find((a) => a.action === 'prune')).toMatchObject({
      actor: 'greenci (prune)',
      outcome: expect.stringMatching(/^removed 1 container, 1 image: /),
    });
  });
});
