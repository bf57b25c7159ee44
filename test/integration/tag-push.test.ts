import { rmSync } from 'node:fs';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/index.js';
import { openStore, type Store } from '../../engine/store/index.js';
import type { ReleaseRecord } from '../../engine/model.js';
import { Origin, tempDir } from '../helpers/origin.js';

/**
 * The tag retry of an engine in this process, round by round (the daemon runs a round on
 * reconciliation's schedule): real git (a bare repository for origin), real SQLite; releases
 * are recorded straight in the store, as a build whose tag push failed leaves them.
 */
describe('pushing the release tags origin has not got', () => {
  let origin: Origin;
  let engine: Engine;
  let store: Store;
  let dir: string;
  let head: string;

  beforeAll(async () => {
    origin = await Origin.create({ prodPorts: { billing: 1, weight: 2 } });
    head = await origin.commitAll('feat: released');
    await origin.push('master');
    dir = tempDir('greenci-tags-');
    const config = {
      dataDir: dir,
      docker: { socket: '/var/run/docker.sock' },
      git: { authorName: 'greenci', authorEmail: 'ci@x' },
      projects: { green: { repo: origin.bare, productionBranch: 'master', imagePrefix: '' } },
    };
    store = openStore(dir);
    engine = createEngine({ config: config as never, env: process.env, store });
  });
  afterAll(() => {
    engine?.close();
    origin?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const release = (version: string, sha = head): ReleaseRecord =>
    store.releases.createRelease({ project: 'green', version, sha, images: {}, spec: { services: [] } as never, tagPushed: false });
  const round = async () => (await engine.pushTags()).map((n) => `${n.level}: ${n.msg}`);

  it('tries again with backoff while origin refuses, then pushes the tag and records it', async () => {
    origin.refuseTags();
    const r = release('v0.1.0');
    const notes: string[][] = [];
    for (let i = 0; i < 8; i++) notes.push(await round());
    // tried on rounds 0, 2 and 6: one round let pass, then three
    expect(notes.map((n) => n.length)).toEqual([1, 0, 1, 0, 0, 0, 1, 0]);
    expect(notes[0][0]).toMatch(
      /^warn: release tag v0\.1\.0 of green still not pushed \(git push .*tag pushes are refused here.*\); greenci tries again in 2 reconciliation rounds$/,
    );
    expect(notes[2][0]).toMatch(/greenci tries again in 4 reconciliation rounds$/);
    expect(store.releases.release(r.id)?.tagPushed).toBe(false);
    expect(await origin.remoteTags()).toEqual([]);

    origin.acceptTags();
    const after: string[][] = [];
    for (let i = 0; i < 8; i++) after.push(await round());
    expect(after.map((n) => n.length)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expect(after[6]).toEqual(['info: release tag v0.1.0 of green pushed to origin (it was not pushed when v0.1.0 was released)']);
    expect(await origin.tagTarget('v0.1.0')).toBe(head);
    expect(store.releases.release(r.id)?.tagPushed).toBe(true);
    expect(store.audit.list('green', 1)[0]).toMatchObject({ actor: 'greenci', action: 'tag', target: 'v0.1.0', outcome: 'pushed' });
  });

  it('leaves a project alone while a build holds its production lock (its own release stage pushes)', async () => {
    const r = release('v0.2.0');
    store.leases.tryAcquire('production:green', 'a-live-build', 'build #9 releasing');
    expect(await round()).toEqual([]);
    expect(store.releases.release(r.id)?.tagPushed).toBe(false);
    store.leases.release('production:green', 'a-live-build');
    expect(await round()).toEqual(['info: release tag v0.2.0 of green pushed to origin (it was not pushed when v0.2.0 was released)']);
  });

  it('never moves a tag origin holds on another commit: says so once, records it, and stops trying', async () => {
    const other = (await simpleGit({ baseDir: origin.work }).raw(['rev-parse', 'HEAD~1'])).trim();
    const work = simpleGit({ baseDir: origin.work });
    await work.raw(['-c', 'user.name=x', '-c', 'user.email=x@x', 'tag', '--annotate', '--message', 'by hand', 'v0.3.0', other]);
    await work.raw(['push', '--quiet', 'origin', 'refs/tags/v0.3.0']);
    const r = release('v0.3.0');
    const first = await round();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(
      /^error: release tag v0\.3\.0 of green cannot be pushed: origin has v0\.3\.0 on another commit \(\w{12}, not \w{12}\); greenci never moves a tag/,
    );
    for (let i = 0; i < 10; i++) expect(await round()).toEqual([]);
    expect(await origin.tagTarget('v0.3.0')).toBe(other);
    expect(store.releases.release(r.id)?.tagPushed).toBe(false);
    expect(store.audit.list('green', 1)[0]).toMatchObject({
      action: 'tag',
      target: 'v0.3.0',
      outcome: expect.stringMatching(/^failed: origin has v0\.3\.0 on another commit/),
    });
    // a start tries every tag again (someone may have fixed origin meanwhile)
    expect((await engine.recover()).filter((n) => n.msg.includes('v0.3.0'))).toHaveLength(1);
  });
});
