import { describe, expect, it } from 'vitest';
import type { BuildRecord, ProductionHold } from '../../engine/model.js';
import { buildMail, rollbackMail } from '../../engine/notify/build-mail.js';
import { holdLiftedMail } from '../../engine/notify/hold-mail.js';

/** A local-time instant: printed clock times do not depend on the machine's time zone. */
const SINCE = new Date(2026, 10, 28, 14, 3, 5).getTime();
const hold: ProductionHold = {
  id: 3,
  project: 'green',
  by: 'bob',
  since: SINCE,
  reason: 'rolled back from v0.4.0 to v0.3.0',
  version: 'v0.3.0',
};
const lead = ['lead@green.example'];

const build = (o: Partial<BuildRecord> = {}): BuildRecord => ({
  id: 12,
  project: 'green',
  branch: 'master',
  sha: 'abcdef1234567890',
  commitSubject: 'feat: totals',
  refSlug: 'master',
  trigger: 'push',
  status: 'success',
  createdAt: 0,
  stages: [],
  ...o,
});

describe('emails about holds', () => {
  it('a rollback that succeeded tells the lead list production is held and how to release; a failed one does not', () => {
    const ok = rollbackMail({
      project: 'green',
      from: 'v0.4.0',
      to: 'v0.3.0',
      by: 'bob',
      ok: true,
      lead,
      deploymentId: 7,
      productionBranch: 'master',
    })!;
    expect(ok.subject).toBe('↩ green production rolled back to v0.3.0 by bob');
    expect(ok.text).toContain(
      'hold:    production is held: master builds are built and tested, not released, until greenci release green (--lift: lift the hold only)',
    );
    const failed = rollbackMail({ project: 'green', to: 'v0.3.0', by: 'bob', ok: false, reason: 'unhealthy', lead, deploymentId: 8 })!;
    expect(failed.text).not.toContain('hold');
  });

  it('a build held back says so in its subject, what production runs, and why', () => {
    const reason = 'not released: production is held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0)';
    const m = buildMail({
      build: build({ outcome: 'not-released', reason }),
      productionBranch: 'master',
      lead,
      logs: [],
      live: { id: 3, project: 'green', version: 'v0.3.0', sha: 'c0ffee', images: {}, tagPushed: true, createdAt: 0 },
    })!;
    expect(m.subject).toBe('✔ green master #12 passed: not released');
    expect(m.to).toEqual(lead);
    expect(m.text).toContain(`result:     all stages passed; ${reason}`);
    expect(m.text).toContain('production: runs v0.3.0');
  });

  it("a greenci release build's email names the build it released and the hold it lifted", () => {
    const m = buildMail({
      build: build({ id: 14, trigger: 'release', retryOf: 12, version: 'v0.4.0', requestedBy: 'alice' }),
      productionBranch: 'master',
      lead,
      logs: [],
      lifted: { ...hold, liftedAt: SINCE + 1000, liftedBy: 'alice', liftedByBuild: 14 },
    })!;
    expect(m.subject).toBe('✔ green master v0.4.0 released');
    expect(m.text).toContain('build:     #14 (greenci release of build #12)');
    expect(m.text).toContain('hold:      lifted: production was held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0)');
  });

  it('a hold lifted alone goes to the lead list once, naming who; nothing without a lead list or before it is lifted', () => {
    const lifted = { ...hold, liftedAt: SINCE + 1000, liftedBy: 'alice' };
    const m = holdLiftedMail(lifted, { lead, productionBranch: 'master' })!;
    expect([m.subject, m.to, m.kind, m.dedupeKey]).toEqual(['⏵ green production hold lifted by alice', lead, 'hold', 'hold:3:lifted']);
    expect(m.text).toContain('result:    production is not changed now; the next master build that passes is released');
    expect(holdLiftedMail(lifted, { lead: [], productionBranch: 'master' })).toBeUndefined();
    expect(holdLiftedMail(hold, { lead, productionBranch: 'master' })).toBeUndefined();
  });
});
