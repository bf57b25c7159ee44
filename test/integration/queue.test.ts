import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../engine/model.js';
import { openStore } from '../../engine/store/index.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** The durable queue as a daemon runs it: superseding, cancelling, one build per project at a time. */
describe('the build queue', () => {
  let g: GreenSetup;
  const get = (id: number) => g.engine.build(id)!;
  const ended = (id: number) =>
    waitUntil(() => ['success', 'failed', 'cancelled'].includes(get(id).status) && get(id), `build #${id} to end`);
  const inStage = (id: number, stage: string) =>
    waitUntil(() => get(id).stages.find((s) => s.name === stage)?.status === 'running', `build #${id} in ${stage}`);

  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '10s' });
  });
  afterAll(async () => {
    await g?.engine.drain(0);
    await g?.cleanup();
  });

  it('a newer push of a branch supersedes its queued builds; the queued builds survive in SQLite until a queue runs them', async () => {
    await g.origin.checkoutNewBranch('feature-q');
    const shas: string[] = [];
    for (const n of [1, 2, 3]) {
      shas.push(await g.origin.commitAll(`feat: step ${n}`));
      await g.origin.push('feature-q');
    }
    const queued: BuildRecord[] = [];
    for (const sha of shas)
      queued.push(await g.engine.enqueue({ project: g.project, branch: 'feature-q', sha, trigger: 'push', requestedBy: 'dev' }));
    // each push replaces the one queued before it
    expect(get(queued[0].id)).toMatchObject({
      status: 'cancelled',
      supersededBy: queued[1].id,
      reason: `superseded by #${queued[1].id}, a newer push of the branch`,
    });
    expect(get(queued[1].id)).toMatchObject({ status: 'cancelled', supersededBy: queued[2].id });
    expect(get(queued[2].id).status).toBe('queued');
    // durable: another process opening the database (a restarted daemon) finds the same queue
    const reopened = openStore(g.dataDir);
    expect(reopened.builds.queued().map((b) => b.id)).toEqual([queued[2].id]);
    reopened.close();

    // a push of the same commit again (a reconciliation, say) is the same build
    const same = await g.engine.enqueue({ project: g.project, branch: 'feature-q', sha: shas[2], trigger: 'reconcile' });
    expect(same.id).toBe(queued[2].id);
  });

  it('a newer commit cancels the running build of its feature branch, which stops cleanly and names why', async () => {
    g.engine.startQueue();
    const running = g.store.builds.queued()[0] ?? g.engine.builds({ project: g.project, limit: 1 })[0];
    await inStage(running.id, 'deploy-test');
    const newer = await g.origin.commitAll('feat: step 4');
    await g.origin.push('feature-q');
    const next = await g.engine.enqueue({ project: g.project, branch: 'feature-q', sha: newer, trigger: 'push' });
    const cancelled = await ended(running.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.reason).toMatch(
      new RegExp(`cancelled (during|before) [a-z-]+: superseded by #${next.id}, a newer commit of feature-q`),
    );
    const done = await ended(next.id);
    expect(done.status).toBe('success');
    // one build at a time in the project's test environment
    expect(done.startedAt!).toBeGreaterThanOrEqual(cancelled.finishedAt!);
  });

  it('production-branch builds never cancel each other: they run one after the other, and the later commit is released last', async () => {
    await g.origin.checkout('master');
    const m1 = await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    const first = await g.engine.enqueue({ project: g.project, branch: 'master', sha: m1, trigger: 'push' });
    await inStage(first.id, 'build');
    const m2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    const second = await g.engine.enqueue({ project: g.project, branch: 'master', sha: m2, trigger: 'push' });
    expect(get(second.id).status).toBe('queued');
    const [one, two] = [await ended(first.id), await ended(second.id)];
    expect(one).toMatchObject({ status: 'success', version: 'v0.1.0' });
    expect(two).toMatchObject({ status: 'success', version: 'v0.2.0' });
    expect(two.startedAt!).toBeGreaterThanOrEqual(one.finishedAt!);
    expect(g.engine.releases(g.project).live?.version).toBe('v0.2.0');
  });

  it('cancel: a queued build at once, by whoever asked; a finished one is refused', async () => {
    const sha = await g.origin.commitAll('chore: more');
    await g.origin.push('feature-q');
    await g.origin.push('feature-other');
    const hold = await g.engine.enqueue({ project: g.project, branch: 'feature-q', sha, trigger: 'manual', requestedBy: 'ann' });
    const waiting = await g.engine.enqueue({ project: g.project, branch: 'feature-other', sha, trigger: 'manual', requestedBy: 'ann' });
    expect(get(waiting.id).status).toBe('queued');
    expect(g.engine.cancel(waiting.id, 'bob')).toMatchObject({ status: 'cancelled', reason: 'cancelled by bob' });
    expect(get(waiting.id).stages.every((s) => s.status === 'cancelled')).toBe(true);
    await ended(hold.id);
    expect(() => g.engine.cancel(hold.id, 'bob')).toThrow(/already ended: success/);
  });
});
