import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../engine/model.js';
import { runtimeFor } from '../../src/runtime.js';
import { greenciDone } from '../helpers/cli.js';
import { docker, envContainers, getJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Issue 11, "A rollback holds", on a real Docker engine with a bare repository standing in for
 * GitHub, real SQLite and the real command line: a manual rollback holds production; held, the
 * production branch is built and tested but not promoted; `greenci release` lifts the hold and
 * releases (a commit released before keeps its version); `--lift` lifts it alone; a greenci that
 * stands in for the daemon and finds an interrupted build never promotes it on its own behalf.
 * The steps build on each other, in order.
 */
describe('a rollback holds production until greenci release', () => {
  let g: GreenSetup;
  const shas: Record<string, string> = {};
  const ids: Record<string, number> = {};
  const prod = (app: 'billing' | 'weight') => `http://127.0.0.1:${g.ports[app]}/health`;
  const cli = (args: string[], user = 'alice') => greenciDone([...args, '--config', g.configFile], { ...g.env, USER: user, SUDO_USER: '' });
  const master = (requestedBy = 'carol') => g.engine.run({ project: g.project, branch: 'master', requestedBy });
  const versionsBySha = () => {
    const by: Record<string, string[]> = {};
    for (const r of g.store.releases.releases(g.project)) (by[r.sha] ??= []).push(r.version);
    return by;
  };

  beforeAll(async () => {
    g = await setupGreen();
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('a manual rollback puts a hold on production: who, when, why and which release, audited, and greenci status shows it', async () => {
    shas.v1 = await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    expect((await master()).version).toBe('v0.1.0');
    shas.v2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    expect((await master()).version).toBe('v0.2.0');

    const before = Date.now();
    const r = await g.engine.rollback({ project: g.project, to: 'v0.1.0', requestedBy: 'bob' });

    expect(r.hold).toMatchObject({ by: 'bob', reason: 'rolled back from v0.2.0 to v0.1.0', version: 'v0.1.0', releaseId: r.to.id });
    expect(r.hold!.since).toBeGreaterThanOrEqual(before);
    expect(g.store.holds.current(g.project)).toEqual(r.hold);
    expect(g.engine.getSnapshot().holds[g.project]).toEqual(r.hold);
    expect(g.engine.releases(g.project).hold).toEqual(r.hold);
    const audit = g.store.audit.list(g.project, 2);
    expect(audit.map((a) => [a.actor, a.action, a.target, a.outcome])).toEqual([
      ['bob', 'hold', 'v0.1.0', 'placed: production-branch builds are built and tested but not released until greenci release'],
      ['bob', 'rollback', 'v0.1.0', expect.stringMatching(/^success/)],
    ]);
    // another process reading the database (no daemon runs) sees it too
    const status = await cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.split('\n').find((l) => l.startsWith(`${g.project} `))).toMatch(/ v0\.1\.0 \(held\) /);
    expect(status.stdout).toMatch(
      new RegExp(
        `^production ${g.project} is held since \\d{4}-\\d\\d-\\d\\d [\\d:]{8} by bob \\(rolled back from v0\\.2\\.0 to v0\\.1\\.0\\): `,
        'm',
      ),
    );
    const releases = await cli(['releases', g.project]);
    expect(releases.stdout).toContain(`production ${g.project} is held since`);
  });

  it('held: a new master commit is built and tested but not promoted; the build says why and production is unchanged', async () => {
    shas.v3 = await g.origin.commitAll('feat: billing after the rollback');
    await g.origin.push('master');
    const build = await master();
    ids.held = build.id;

    expect(build).toMatchObject({ status: 'success', outcome: 'not-released', version: undefined, sha: shas.v3 });
    expect(build.reason).toMatch(
      new RegExp(
        `^not released: production is held since .* by bob \\(rolled back from v0\\.2\\.0 to v0\\.1\\.0\\); \`greenci release ${g.project} --build ${build.id}\` releases it and lifts the hold$`,
      ),
    );
    expect(build.stages.map((s) => [s.name, s.status])).toEqual([
      ['checkout', 'success'],
      ['config', 'success'],
      ['build', 'success'],
      ['deploy-test', 'success'],
      ['test', 'success'],
      ['promote', 'success'],
      ['deploy-production', 'skipped'],
      ['release', 'skipped'],
    ]);
    expect(g.engine.logs(build.id).some((l) => l.stage === 'promote' && l.line === `built and tested; ${build.reason}`)).toBe(true);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.1.0', commit: shas.v1 });
    expect(g.engine.releases(g.project).live?.version).toBe('v0.1.0');
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0', 'v0.2.0']);
    const builds = await cli(['builds', g.project]);
    expect(builds.stdout.split('\n').find((l) => l.startsWith(`${build.id} `))).toMatch(/ success +.*not released: production is held/);
  });

  it('greenci release (no daemon) lifts the hold and releases the newest build that passed: its tested images, a new version', async () => {
    const tested = g.store.builds.tested(ids.held)!;
    const r = await cli(['release', g.project]);

    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `✔ production ${g.project} runs v0\\.3\\.0 \\(${shas.v3.slice(0, 12)}, tested by build #${ids.held}\\); the hold is lifted$`,
        'm',
      ),
    );
    const [rel] = g.store.builds.list({ project: g.project, limit: 1 });
    ids.release = rel.id;
    expect(rel).toMatchObject({
      trigger: 'release',
      retryOf: ids.held,
      requestedBy: 'alice',
      status: 'success',
      version: 'v0.3.0',
      sha: shas.v3,
    });
    expect(rel.stages.map((s) => [s.name, s.status])).toEqual([
      ['promote', 'success'],
      ['deploy-production', 'success'],
      ['release', 'success'],
    ]);
    const live = g.store.releases.liveRelease(g.project)!;
    expect(live).toMatchObject({ version: 'v0.3.0', sha: shas.v3 });
    // what was tested is what runs: the very images, not a rebuild
    expect(live.images.billing.id).toBe(tested.images.billing);
    expect(live.images.weight.id).toBe(tested.images.weight);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.3.0', commit: shas.v3 });
    expect(g.store.holds.current(g.project)).toBeUndefined();
    expect(g.store.holds.liftedBy(rel.id)).toMatchObject({ by: 'bob', liftedBy: 'alice' });
    expect(await g.origin.tagTarget('v0.3.0')).toBe(shas.v3);
    const audit = g.store.audit.list(g.project, 5);
    expect(audit.find((a) => a.action === 'release')).toMatchObject({
      actor: 'alice',
      target: `#${ids.held}`,
      outcome: `released v0.3.0 (build #${rel.id}); hold lifted`,
    });
    expect(audit.find((a) => a.action === 'lift-hold')).toMatchObject({
      actor: 'alice',
      outcome: `lifted by releasing v0.3.0 (build #${rel.id})`,
    });
  });

  it('a commit released before keeps its version: after another rollback, releasing it deploys v0.3.0 again, no new version or tag', async () => {
    await g.engine.rollback({ project: g.project, to: 'v0.2.0', requestedBy: 'bob' });
    // `t` on master now: held, and in any case this commit is v0.3.0 already
    const again = await master('dave');
    expect(again).toMatchObject({ status: 'success', outcome: 'not-released', sha: shas.v3, version: undefined });

    const r = await g.engine.release({ project: g.project, requestedBy: 'alice' });

    expect(r.of).toBe(again.id);
    expect(r.build).toMatchObject({ status: 'success', version: 'v0.3.0', trigger: 'release' });
    expect(r.release).toMatchObject({ version: 'v0.3.0', sha: shas.v3 });
    expect(r.lifted).toMatchObject({ by: 'bob', liftedBy: 'alice', liftedByBuild: r.build.id });
    expect(
      g.engine
        .logs(r.build.id)
        .some((l) => l.line === 'this commit was released before as v0.3.0: deploying v0.3.0 again (no new version)'),
    ).toBe(true);
    expect(g.engine.releases(g.project).releases.map((x) => x.version)).toEqual(['v0.3.0', 'v0.2.0', 'v0.1.0']);
    expect(g.engine.getSnapshot().live[g.project]?.version).toBe('v0.3.0');
    expect(g.engine.getSnapshot().holds[g.project]).toBeUndefined();
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.3.0', commit: shas.v3 });
    expect(await g.origin.remoteTags()).toEqual(['v0.1.0', 'v0.2.0', 'v0.3.0']);
    expect(versionsBySha()).toEqual({ [shas.v1]: ['v0.1.0'], [shas.v2]: ['v0.2.0'], [shas.v3]: ['v0.3.0'] });
  });

  it('greenci release --lift lifts a hold without releasing; the next master commit then promotes; no hold is refused', async () => {
    await g.engine.rollback({ project: g.project, to: 'v0.2.0', requestedBy: 'bob' });
    const lift = await cli(['release', g.project, '--lift']);
    expect(lift.code, lift.stderr).toBe(0);
    expect(lift.stdout).toContain(
      `✔ production ${g.project} is no longer held (it was held by bob: rolled back from v0.3.0 to v0.2.0); the next build that passes is released`,
    );
    expect(g.store.holds.current(g.project)).toBeUndefined();
    expect(g.store.audit.list(g.project, 1)[0]).toMatchObject({
      actor: 'alice',
      action: 'lift-hold',
      outcome: 'lifted without a release: the next production-branch build that passes is released',
    });
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.2.0' });

    const none = await cli(['release', g.project, '--lift']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`production ${g.project} is not held: there is no hold to lift`);

    shas.v4 = await g.origin.commitAll('feat: after the hold');
    await g.origin.push('master');
    const build = await master();
    expect(build).toMatchObject({ status: 'success', version: 'v0.4.0', outcome: undefined });
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.4.0', commit: shas.v4 });
  });

  it('a build whose tested images are gone is refused, saying so, and nothing changes: production, the hold, the builds', async () => {
    await g.engine.rollback({ project: g.project, to: 'v0.3.0', requestedBy: 'bob' });
    shas.v5 = await g.origin.commitAll('fix: never released');
    await g.origin.push('master');
    const held = await master();
    expect(held.outcome).toBe('not-released');
    // its test environment goes first (a running container keeps its image), then the images it tested
    for (const c of Object.values(await envContainers(g.project, 'test'))) await docker.removeContainer(c.Id);
    for (const id of Object.values(g.store.builds.tested(held.id)!.images))
      await docker.api.getImage(id).remove({ force: true, noprune: true });
    const hold = g.store.holds.current(g.project);
    const builds = g.store.builds.list({ project: g.project }).length;

    const r = await cli(['release', g.project, '--build', String(held.id)]);

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^greenci: cannot release build #${held.id}: its tested images are gone \\((\\S+ sha256:[0-9a-f]{12}(, )?){4}\\); nothing was changed \\(production and its hold are as they were\\); build the commit again: greenci trigger ${g.project} --branch master --sha ${shas.v5}$`,
        'm',
      ),
    );
    expect(g.store.holds.current(g.project)).toEqual(hold);
    expect(g.store.builds.list({ project: g.project })).toHaveLength(builds);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: 'v0.3.0' });
    expect(g.store.audit.list(g.project, 1)[0]).toMatchObject({
      actor: 'alice',
      action: 'release',
      outcome: expect.stringMatching(/^refused: cannot release/),
    });
  });

  it('greenci standing in for the daemon (the console without one) finds an interrupted master build: it builds and tests it, and never promotes it', async () => {
    expect((await cli(['release', g.project, '--lift'])).code).toBe(0);
    // a `greenci run` of master killed with SIGKILL in the middle of its tests: the console's start finds it
    shas.v6 = await g.origin.commitAll('feat: interrupted');
    await g.origin.push('master');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src', 'bin.ts'), 'run', g.project, '--branch', 'master', '--config', g.configFile],
      {
        cwd: ROOT,
        env: { ...process.env, ...g.env },
        stdio: 'ignore',
      },
    );
    const killed = await waitUntil(
      () =>
        g.store.builds
          .list({ project: g.project, limit: 1 })
          .find((b) => b.sha === shas.v6 && b.stages.find((s) => s.name === 'test')?.status === 'running'),
      'the killed run to reach its tests',
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const live = g.store.releases.liveRelease(g.project)!;

    // what `greenci` (the console) does with no daemon: recovery, then its own queue
    const local = runtimeFor(g.config, { ...process.env, ...g.env });
    const notes: string[] = [];
    await local.recover((n) => notes.push(n.msg));
    local.startBackground();
    const requeued = Number(/queued again as #(\d+)/.exec(notes.find((m) => m.startsWith(`build #${killed.id} `))!)![1]);
    const ended = await waitUntil(() => {
      const b = g.store.builds.get(requeued);
      return b && ['success', 'failed', 'cancelled'].includes(b.status) && b;
    }, `build #${requeued} to end`);
    await local.stop();

    expect(ended).toMatchObject({
      status: 'success',
      outcome: 'not-released',
      trigger: 'recovery',
      retryOf: killed.id,
      version: undefined,
    });
    expect(ended.reason).toBe(
      `not released: crash recovery queued it again, and greenci does not promote on its own behalf; \`greenci release ${g.project} --build ${requeued}\` releases it`,
    );
    expect(g.store.releases.liveRelease(g.project)?.id).toBe(live.id);
    expect((await getJson(prod('weight'))).body).toMatchObject({ version: live.version });
    expect(versionsBySha()[shas.v6]).toBeUndefined();

    // and a push build a dead daemon left queued: built and tested, not promoted by a stand-in
    // (this test's own engine runs no queue: the build waits for the stand-in)
    const left = (await g.engine.enqueue({ project: g.project, branch: 'master', trigger: 'push', requestedBy: 'github' })).id;
    const stand = runtimeFor(g.config, { ...process.env, ...g.env });
    stand.startBackground();
    const pushed: BuildRecord = await waitUntil(() => {
      const b = g.store.builds.get(left);
      return b && ['success', 'failed', 'cancelled'].includes(b.status) && b;
    }, `build #${left} to end`);
    await stand.stop();
    expect(pushed).toMatchObject({ status: 'success', outcome: 'not-released' });
    expect(pushed.reason).toMatch(/^not released: greenci ran it without a daemon \(trigger push\) and does not promote on its own behalf/);
    expect(g.store.releases.liveRelease(g.project)?.id).toBe(live.id);
  });
});
