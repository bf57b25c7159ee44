import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../engine/errors.js';
import { interruptedOutcome } from '../../engine/interrupted.js';
import type { BuildRecord, ProductionHold } from '../../engine/model.js';
import { planReleaseStages } from '../../engine/pipeline/plan.js';
import { checkReleasable, holdText, promotionBlock, rollbackHoldReason } from '../../engine/pipeline/promotion.js';
import { emptySnapshot, reduce } from '../../engine/state.js';

/** A local-time instant: the printed clock time does not depend on the machine's time zone. */
const SINCE = new Date(2026, 10, 28, 14, 3, 5).getTime();

const hold: ProductionHold = {
  id: 3,
  project: 'green',
  by: 'bob',
  since: SINCE,
  reason: 'rolled back from v0.4.0 to v0.3.0',
  version: 'v0.3.0',
};

const build = (o: Partial<BuildRecord> = {}): BuildRecord => ({
  id: 12,
  project: 'green',
  branch: 'master',
  sha: 'abcdef1234567890abcdef1234567890abcdef12',
  refSlug: 'master',
  trigger: 'push',
  status: 'success',
  createdAt: 0,
  stages: [],
  ...o,
});

describe('whether a build that passed may change production (promotionBlock)', () => {
  const ask = { buildId: 12, project: 'green', trigger: 'push', standIn: false };

  it('a push, a manual trigger, a retry, a reconciliation or a re-queue after a shutdown promote when nothing holds production', () => {
    for (const trigger of ['push', 'manual', 'retry', 'reconcile', 'requeue'])
      expect(promotionBlock({ ...ask, trigger }, undefined)).toBeUndefined();
  });

  it('a hold stops every build from promoting, saying since when, by whom, why and how to release it', () => {
    const why =
      'not released: production is held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0); `greenci release green --build 12` releases it and lifts the hold';
    for (const trigger of ['push', 'manual', 'retry', 'reconcile', 'recovery']) expect(promotionBlock({ ...ask, trigger }, hold)).toBe(why);
    expect(promotionBlock({ ...ask, standIn: true }, hold)).toBe(why);
  });

  it('greenci never promotes on its own behalf: not a build crash recovery queued again, daemon or not', () => {
    const why =
      'not released: crash recovery queued it again, and greenci does not promote on its own behalf; `greenci release green --build 12` releases it';
    expect(promotionBlock({ ...ask, trigger: 'recovery' }, undefined)).toBe(why);
    expect(promotionBlock({ ...ask, trigger: 'recovery', standIn: true }, undefined)).toBe(why);
  });

  it('a console or command standing in for the daemon promotes only what an operator asked for, never what it found queued', () => {
    for (const trigger of ['manual', 'retry']) expect(promotionBlock({ ...ask, trigger, standIn: true }, undefined)).toBeUndefined();
    expect(promotionBlock({ ...ask, trigger: 'push', standIn: true }, undefined)).toBe(
      'not released: greenci ran it without a daemon (trigger push) and does not promote on its own behalf; `greenci release green --build 12` releases it',
    );
    expect(promotionBlock({ ...ask, trigger: 'requeue', standIn: true }, undefined)).toBe(
      'not released: greenci ran it without a daemon (trigger requeue) and does not promote on its own behalf; `greenci release green --build 12` releases it',
    );
  });

  it('a greenci release build is the operator naming it: neither the hold nor standing in stops it', () => {
    expect(promotionBlock({ ...ask, trigger: 'release', standIn: true }, hold)).toBeUndefined();
  });

  it('the hold reads the same everywhere, and a rollback says what it did', () => {
    expect(holdText(hold)).toBe('held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0)');
    expect(rollbackHoldReason('v0.4.0', 'v0.3.0')).toBe('rolled back from v0.4.0 to v0.3.0');
    expect(rollbackHoldReason(undefined, 'v0.3.0')).toBe('rolled back to v0.3.0');
  });
});

describe('which build greenci release releases (checkReleasable)', () => {
  const o = { project: 'green', productionBranch: 'master' };

  it('the named build, or the newest that passed, of the production branch', () => {
    expect(checkReleasable(build(), { ...o, named: 12 })).toEqual(build());
    expect(checkReleasable(build({ id: 14 }), o).id).toBe(14);
  });

  it('refuses what is not there, not of the production branch, or did not pass, saying why', () => {
    expect(() => checkReleasable(undefined, { ...o, named: 99 })).toThrow(new NotFoundError('no build #99 of green'));
    expect(() => checkReleasable(build({ project: 'blog' }), { ...o, named: 12 })).toThrow(new NotFoundError('no build #12 of green'));
    expect(() => checkReleasable(undefined, o)).toThrow(
      new UsageError('no master build of green has passed yet: nothing to release (greenci release green --lift lifts the hold alone)'),
    );
    expect(() => checkReleasable(build({ branch: 'feature-x' }), { ...o, named: 12 })).toThrow(
      new UsageError('build #12 is of branch feature-x: only builds of master go to production'),
    );
    expect(() => checkReleasable(build({ status: 'failed' }), { ...o, named: 12 })).toThrow(
      new UsageError('build #12 failed: only a build that passed its tests is released'),
    );
    expect(() => checkReleasable(build({ status: 'running' }), { ...o, named: 12 })).toThrow(
      new UsageError('build #12 is running: only a build that passed its tests is released'),
    );
  });

  it('a release runs promote, deploy-production and release only', () => {
    expect(planReleaseStages().map((s) => s.name)).toEqual(['promote', 'deploy-production', 'release']);
  });

  it('an interrupted greenci release is not queued again: releasing is the operator\u2019s to ask again', () => {
    expect(interruptedOutcome({ trigger: 'release', pid: '77', stage: 'promote', newer: false, known: true })).toEqual({
      status: 'failed',
      requeue: false,
      reason: 'interrupted: the greenci process running it (pid 77) stopped during promote; not re-queued',
    });
  });
});

describe('the hold in the snapshot', () => {
  it('is on from the event that puts it on until the event that lifts it', () => {
    const on = reduce(emptySnapshot(), { type: 'hold.updated', hold });
    expect(on.holds).toEqual({ green: hold });
    const off = reduce(on, { type: 'hold.updated', hold: { ...hold, liftedAt: SINCE + 60_000, liftedBy: 'alice', liftedByBuild: 14 } });
    expect(off.holds).toEqual({});
    expect(on.holds).toEqual({ green: hold });
  });
});
