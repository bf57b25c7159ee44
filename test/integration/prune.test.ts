import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import type { BuildRecord } from '../../engine/model.js';
import type { PruneReport } from '../../engine/prune/types.js';
import { BUSYBOX, runBusybox } from '../helpers/busybox.js';
import { greenciDone } from '../helpers/cli.js';
import { docker, getJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

const DAY = 86_400_000;

/**
 * Retention on a real Docker engine, real SQLite and real git: the sample released 12 times through
 * the whole pipeline (each commit changes weight's code, so each release has layers of its own);
 * then `greenci prune --dry-run` lists and removes nothing; a prune while a feature build runs keeps
 * that build's images; the prune after it leaves only what is kept, every kept release can be rolled
 * back to, and nothing without greenci's labels is touched; a release prunes on its own afterwards.
 * The steps build on each other, in order.
 */
describe('retention: greenci prune keeps every rollback target and removes the rest of what greenci made', () => {
  let g: GreenSetup;
  const foreign = { image: '', running: '', stopped: '', volume: '' };
  const builds: BuildRecord[] = [];
  let leftover = '';
  const cli = (args: string[], user = 'alice') => greenciDone([...args, '--config', g.configFile], { ...g.env, USER: user, SUDO_USER: '' });
  const prod = (app: 'billing' | 'weight') => `http://127.0.0.1:${g.ports[app]}/health`;
  const release = (v: string) => g.store.releases.byVersion(g.project, v)!;
  const imageIds = async () => new Set((await docker.listImages()).filter((i) => i.Labels?.[LABEL.project] === g.project).map((i) => i.Id));
  const exists = async (ref: string) => (await docker.imageId(ref)) !== undefined;
  const backupsOf = () =>
    g.store.db.prepare("SELECT id, release, path, outcome FROM backups WHERE project = ? AND outcome = 'success'").all(g.project) as {
      id: string;
      release: string;
      path: string;
    }[];
  const sorted = <T extends string[]>(rows: T[]) => rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));

  beforeAll(async () => {
    g = await setupGreen({ extra: 'retention:\n  releases: 10\n  afterRelease: false' });
    // the sample without its CPU limit and with a 1 s verification window: twelve releases in about two minutes
    const file = path.join(g.origin.work, 'greenci.yml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^ {6}cpus: 0\.5\n/m, '')
        .replace('verify: 5s', 'verify: 1s'),
    );
    // someone else's image, containers and volume on the same host: no greenci labels
    foreign.image = `${g.project}-foreign-tool:1`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-foreign-'));
    copyFileSync(BUSYBOX, path.join(dir, 'busybox'));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
    );
    await docker.buildImage({ contextDir: dir, dockerfile: 'Dockerfile', tags: [foreign.image], labels: {}, onLine: () => undefined });
    rmSync(dir, { recursive: true, force: true });
    foreign.running = await runBusybox({ image: foreign.image, name: `${g.project}-foreign-up`, script: 'sleep 3600', labels: {} });
    foreign.stopped = await runBusybox({ image: foreign.image, name: `${g.project}-foreign-done`, script: 'true', labels: {} });
    foreign.volume = `${g.project}-foreign-data`;
    await docker.ensureVolume(foreign.volume, {});
  });
  afterAll(async () => {
    for (const id of [foreign.running, foreign.stopped]) if (id) await docker.removeContainer(id).catch(() => undefined);
    if (foreign.volume) await docker.removeVolume(foreign.volume).catch(() => undefined);
    if (foreign.image) await docker.removeImage(foreign.image, { force: true }).catch(() => undefined);
    await g?.cleanup();
  });

  it('releases the sample 12 times through the whole pipeline', async () => {
    for (let n = 1; n <= 12; n++) {
      appendFileSync(path.join(g.origin.work, 'weight', 'server.js'), `// release ${n}\n`);
      await g.origin.commitAll(`feat: release ${n}`);
      await g.origin.push('master');
      const b = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'carol' });
      expect([b.status, b.version], b.reason).toEqual(['success', `v0.${n}.0`]);
      builds.push(b);
    }
    expect(g.engine.releases(g.project).releases.map((r) => r.version)).toEqual(Array.from({ length: 12 }, (_, i) => `v0.${12 - i}.0`));
    // what a greenci killed mid-release leaves: a stopped app of v0.1.0 (neither live nor warm), and build #1's worktree
    const v1 = release('v0.1.0');
    leftover = await docker.createContainer({
      name: `${g.project}-production-weight-v0.1.0`,
      Image: v1.images.weight.id,
      Labels: {
        [LABEL.project]: g.project,
        [LABEL.env]: 'production',
        [LABEL.release]: 'v0.1.0',
        [LABEL.service]: 'weight',
        [LABEL.role]: 'app',
        [LABEL.slot]: 'a',
      },
    });
    mkdirSync(path.join(g.dataDir, 'work', g.project, String(builds[0].id)), { recursive: true });
    writeFileSync(path.join(g.dataDir, 'work', g.project, String(builds[0].id), 'left.txt'), 'x'.repeat(4096));
    // build #1 ended 40 days ago: its log lines are past retention.buildLogs.days (30); so were the backups taken
    g.store.db.prepare('UPDATE builds SET finished_at = ? WHERE id = ?').run(Date.now() - 40 * DAY, builds[0].id);
    g.store.db.prepare('UPDATE backups SET started_at = started_at - ? WHERE project = ?').run(40 * DAY, g.project);
  }, 900_000);

  it('greenci prune --dry-run lists what it would remove, with reasons and sizes, and removes nothing', async () => {
    const before = await imageIds();
    const logLines = g.engine.logs(builds[0].id).length;
    const json = await cli(['prune', g.project, '--dry-run', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const [report] = JSON.parse(json.stdout) as PruneReport[];
    const removed = (kind: string) => report.removed.filter((o) => o.kind === kind);
    expect(report).toMatchObject({ project: g.project, dryRun: true, requestedBy: 'alice' });
    expect(report.removed.every((o) => o.outcome === 'would')).toBe(true);
    // v0.1.0 and v0.2.0 go, but production's databases still run v0.1.0's images: only their v0.1.0 tags go
    const v1 = release('v0.1.0').images;
    const v2 = release('v0.2.0').images;
    expect(
      sorted(
        removed('image')
          .filter((o) => o.reason.startsWith('release '))
          .map((o) => [o.id, o.reason]),
      ),
    ).toEqual(
      sorted([
        ...['weight', 'billing'].map((app) => [v1[app].id, 'release v0.1.0: not live, held or warm, and older than the last 10']),
        ...['weight', 'billing', 'weight-db', 'billing-db'].map((app) => [
          v2[app].id,
          'release v0.2.0: not live, held or warm, and older than the last 10',
        ]),
      ]),
    );
    // production's databases were deployed once, by v0.1.0, and kept running across releases (same content):
    // their images stay, with their only names (Docker would delete an image with its last name)
    expect(removed('tag')).toEqual([]);
    for (const app of ['weight-db', 'billing-db'])
      expect(report.kept.find((k) => k.id === v1[app].id)?.reasons).toEqual([`in use by container ${g.project}-production-${app}`]);
    expect(removed('container').map((o) => [o.what, o.reason])).toEqual([
      [`${g.project}-production-weight-v0.1.0`, 'stopped app weight of release v0.1.0, neither live nor warm'],
    ]);
    expect(removed('worktree').map((o) => o.reason)).toEqual([`build #${builds[0].id} ended`]);
    expect(removed('build-log').map((o) => o.id)).toEqual([String(builds[0].id)]);
    // each release backed production's databases up first, tied to the release live then: those of v0.1.0 and
    // v0.2.0 go (40 days old, not a kept release's); each kept release's newest stays whatever its age
    const backups = backupsOf();
    expect(sorted(removed('backup').map((o) => [o.id, o.reason]))).toEqual(
      sorted(
        backups
          .filter((b) => ['v0.1.0', 'v0.2.0'].includes(b.release))
          .map((b) => [b.id, "older than 30 days and not a kept release's newest"]),
      ),
    );
    expect(removed('backup')).toHaveLength(4);
    // the test steps' images of builds #1 to #11, and the build cache under what goes
    expect(removed('image').filter((o) => o.reason.startsWith('an image of build')).length).toBeGreaterThanOrEqual(11);
    expect(removed('cache').length).toBeGreaterThan(0);
    expect(report.kept.find((k) => k.id === release('v0.12.0').images.billing.id)?.reasons).toContain('live release v0.12.0');
    expect(report.kept.find((k) => k.id === release('v0.3.0').images.weight.id)?.reasons).toEqual([
      'rollback target v0.3.0 (one of the last 10)',
    ]);

    const text = await cli(['prune', g.project, '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(
        `^prune ${g.project} \\(dry run: nothing was removed\\): would remove 1 container, \\d+ images, \\d+ build cache steps?, 1 worktree, 1 build log, 4 backups, [\\d.]+ [KMG]?B$`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `^  image +${g.project}-weight:v0\\.1\\.0-prod \\(sha256:[0-9a-f]{12}\\) +[\\d.]+ [KMG]?B  release v0\\.1\\.0: not live, held or warm, and older than the last 10$`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(/^ {4}live release v0\.12\.0: 4 images, 2 containers$/m);
    expect(text.stdout).toMatch(/^ {4}rollback target v0\.3\.0 \(one of the last 10\): 4 images$/m);

    // nothing was removed
    expect(await imageIds()).toEqual(before);
    expect(await docker.inspectContainer(leftover)).toBeDefined();
    expect(existsSync(path.join(g.dataDir, 'work', g.project, String(builds[0].id)))).toBe(true);
    expect(g.engine.logs(builds[0].id)).toHaveLength(logLines);
    for (const b of backupsOf()) expect(existsSync(b.path)).toBe(true);
    expect(g.store.audit.list(g.project, 50).filter((a) => a.action === 'prune')).toEqual([]);
  }, 300_000);

  it('a prune while a feature build runs keeps that build’s images and leaves the build cache alone; the build passes', async () => {
    await g.origin.checkoutNewBranch('feature-x');
    appendFileSync(path.join(g.origin.work, 'billing', 'server.js'), '// feature x\n');
    await g.origin.commitAll('feat: feature x');
    await g.origin.push('feature-x');
    let id = 0;
    const running = g.engine.run({ project: g.project, branch: 'feature-x', requestedBy: 'dave' }, { onCreated: (b) => (id = b.id) });
    // once it has built its images and is deploying or testing them
    await waitUntil(() => {
      const b = id ? g.engine.build(id) : undefined;
      return b?.stages.some((s) => (s.name === 'deploy-test' || s.name === 'test') && s.status === 'running');
    }, 'the feature build to deploy its images');
    const ofBuild = (await docker.listImages())
      .filter((i) => i.Labels?.[LABEL.project] === g.project && i.Labels?.[LABEL.build] === String(id))
      .map((i) => i.Id);
    expect(ofBuild.length).toBe(5);

    const [report] = await g.engine.prune({ project: g.project, requestedBy: 'alice' });

    for (const i of ofBuild) expect(report.kept.find((k) => k.id === i)?.reasons).toContain(`build #${id} running`);
    expect(report.removed.filter((o) => o.kind === 'cache')).toEqual([]);
    expect(report.notes).toEqual([`build cache left for the next prune: build #${id} of ${g.project} is running (it may be using it)`]);
    expect(report.removed.filter((o) => o.outcome === 'skipped')).toEqual([]);
    const build = await running;
    expect(build.status, build.reason).toBe('success');
    for (const i of ofBuild) expect(await exists(i)).toBe(true);
    expect(g.store.audit.list(g.project, 5).find((a) => a.action === 'prune')).toMatchObject({
      actor: 'alice',
      outcome: expect.stringMatching(/^removed 1 container, \d+ images, 1 worktree, 1 build log, 4 backups: [\d.]+ [KMG]?B freed$/),
    });
  }, 300_000);

  it('greenci prune then leaves only what is kept: every kept release’s images, nothing of v0.1.0 and v0.2.0 but the images production’s databases run', async () => {
    const r = await cli(['prune', g.project, '--json']);
    expect(r.code, r.stderr).toBe(0);
    // the build cache the last prune left (a build was running) goes now: the label steps of greenci's builds whose
    // image went, and the steps under them nothing else stands on (on a host shared with other tests' builds, fewer)
    const [report] = JSON.parse(r.stdout) as PruneReport[];
    const cache = report.removed.filter((o) => o.kind === 'cache');
    expect(cache.length).toBeGreaterThan(0);
    expect(report.removed.filter((o) => o.outcome !== 'removed')).toEqual([]);
    for (const o of cache) expect(await exists(o.id)).toBe(false);
    // of v0.1.0 and v0.2.0 only the images production's databases run are left
    const inUse = new Set((await docker.listContainers([`${LABEL.project}=${g.project}`])).map((c) => c.ImageID));
    for (const v of ['v0.1.0', 'v0.2.0'])
      for (const [app, img] of Object.entries(release(v).images)) {
        expect(await exists(img.ref), img.ref).toBe(inUse.has(img.id));
        expect(await exists(img.id), `${v} ${app}`).toBe(inUse.has(img.id));
      }
    expect(inUse.has(release('v0.1.0').images['weight-db'].id)).toBe(true);
    for (let n = 3; n <= 12; n++)
      for (const img of Object.values(release(`v0.${n}.0`).images)) {
        expect(await exists(img.id), `v0.${n}.0 ${img.ref}`).toBe(true);
        expect(await exists(img.ref), img.ref).toBe(true);
      }
    // the release records stay: greenci releases lists all twelve
    expect(g.engine.releases(g.project).releases).toHaveLength(12);
    // the backups of v0.1.0 and v0.2.0 are gone, files and all; every kept release's are there
    const left = backupsOf();
    expect(left.filter((b) => ['v0.1.0', 'v0.2.0'].includes(b.release))).toEqual([]);
    expect(new Set(left.map((b) => b.release))).toEqual(new Set(Array.from({ length: 9 }, (_, i) => `v0.${i + 3}.0`)));
    for (const b of left) expect(existsSync(b.path)).toBe(true);
    expect(
      g.store.db.prepare("SELECT COUNT(*) AS n FROM backups WHERE project = ? AND outcome LIKE 'removed by retention:%'").get(g.project),
    ).toEqual({ n: 4 });
    // nothing of anyone else's
    expect(await exists(foreign.image)).toBe(true);
    expect((await docker.inspectContainer(foreign.running))?.State.Running).toBe(true);
    expect(await docker.inspectContainer(foreign.stopped)).toBeDefined();
    expect(await docker.volumeExists(foreign.volume)).toBe(true);
    // a second prune finds nothing more
    const [again] = await g.engine.prune({ project: g.project, requestedBy: 'alice', dryRun: true });
    expect(again.removed.filter((o) => o.kind !== 'build-log')).toEqual([]);
  }, 300_000);

  it('greenci rollback --to the oldest kept release, then to one in the middle, works: their images were kept', async () => {
    for (const v of ['v0.3.0', 'v0.7.0']) {
      const r = await cli(['rollback', g.project, '--to', v], 'bob');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^✔ production runs ${v.replace(/\./g, '\\.')} `, 'm'));
      expect((await getJson(prod('weight'))).body).toMatchObject({ version: v, commit: release(v).sha });
    }
    const gone = await cli(['rollback', g.project, '--to', 'v0.1.0'], 'bob');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/images are gone/);
  }, 300_000);

  it('after a release the project is pruned in the background: v0.3.0, now older than the last 10, goes', async () => {
    g.engine.setConfig({ ...g.engine.config, retention: { ...g.engine.config.retention, afterRelease: true } });
    await g.origin.checkout('master');
    appendFileSync(path.join(g.origin.work, 'weight', 'server.js'), '// release 13\n');
    await g.origin.commitAll('feat: release 13');
    await g.origin.push('master');
    const held = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'carol' });
    expect(held.outcome).toBe('not-released');
    const r = await g.engine.release({ project: g.project, requestedBy: 'alice' });
    expect(r.release?.version).toBe('v0.13.0');
    await g.engine.pruneSettled();
    expect(g.store.audit.list(g.project, 5).find((a) => a.action === 'prune')).toMatchObject({
      actor: 'greenci (prune)',
      outcome: expect.stringMatching(/^removed .*images/),
    });
    expect(await exists(release('v0.3.0').images.weight.id)).toBe(false);
    expect(await exists(release('v0.4.0').images.weight.id)).toBe(true);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.13.0' });
  }, 300_000);
});
