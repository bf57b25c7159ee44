import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** Origin refuses the release tag: production runs the release all the same, and the daemon pushes the tag later on its own. */
describe('greenci daemon: release tags origin refused are pushed again on schedule', () => {
  let g: GreenSetup;
  let d: DaemonRun | undefined;
  let store: Store;

  beforeAll(async () => {
    // reconciliation (and with it the tag retry) every 2 seconds instead of every 2 minutes
    g = await setupGreen({ healthTimeout: '10s', noEngine: true, extra: 'reconcile:\n  schedule: "*/2 * * * * *"' });
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  const releaseLine = async (version: string) => {
    const r = await greenciDone(['releases', g.project, '--config', g.configFile], g.env);
    return r.stdout.split('\n').find((l) => l.includes(` ${version} `));
  };

  it('a refused tag push: the build says released with its tag pending; once origin takes tags, the running daemon pushes it', async () => {
    g.origin.refuseTags();
    const sha = await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    d = await startDaemon(g.configFile, g.env);
    const r = await deliver(d.webhookUrl, pushPayload({ repo: g.github, branch: 'master', after: sha }), { secret: g.secret });
    expect(r.status).toBe(202);
    const id = r.body.build as number;
    const build = await waitUntil(
      () => ['success', 'failed'].includes(store.builds.get(id)?.status ?? '') && store.builds.get(id)!,
      `build #${id} to end`,
    );

    // production runs it: the build is a success that says its tag is not pushed; releases says not pushed
    expect(build).toMatchObject({
      status: 'success',
      version: 'v0.1.0',
      reason: expect.stringMatching(/^its git tag could not be pushed \(.*\); greenci pushes it again on its own/),
    });
    expect(build.stages.find((s) => s.name === 'release')).toMatchObject({ status: 'success' });
    expect(
      store.builds
        .logs(id)
        .some(
          (l) =>
            l.stage === 'release' && l.stream === 'stderr' && /^production runs v0\.1\.0, but tagging it in git failed: ./.test(l.line),
        ),
    ).toBe(true);
    expect(await releaseLine('v0.1.0')).toMatch(/^\*.* not pushed /);
    expect(await g.origin.remoteTags()).toEqual([]);

    // the schedule tries again, origin still refuses: the daemon says so and backs off
    const refused = await d.waitForLog(
      (e) => e.level === 'warn' && e.msg.startsWith(`release tag v0.1.0 of ${g.project} still not pushed (`),
      30_000,
    );
    expect(refused.msg).toMatch(/greenci tries again in 2 reconciliation rounds$/);

    // origin takes tags again: the same daemon pushes it, no restart, no new build
    g.origin.acceptTags();
    await d.waitForLog(
      (e) => e.msg === `release tag v0.1.0 of ${g.project} pushed to origin (it was not pushed when v0.1.0 was released)`,
      60_000,
    );
    expect(await g.origin.tagTarget('v0.1.0')).toBe(sha);
    expect(store.releases.byVersion(g.project, 'v0.1.0')).toMatchObject({ tagPushed: true });
    expect(await releaseLine('v0.1.0')).toMatch(/^\*.* pushed /);
    expect(await releaseLine('v0.1.0')).not.toMatch(/not pushed/);
    expect(d.child.exitCode).toBeNull();
    expect(d.logs.filter((e) => e.msg === 'greenci daemon ready')).toHaveLength(1);
    expect(store.builds.list({ project: g.project }).map((b) => b.id)).toEqual([id]);
    expect(store.audit.list(g.project).find((a) => a.action === 'tag')).toMatchObject({
      actor: 'greenci',
      target: 'v0.1.0',
      outcome: 'pushed',
      detail: { sha, buildId: id },
    });
  });
});
