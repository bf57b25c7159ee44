import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import type { FreeThreshold } from '../../config/retention.js';
import type { HealthRecord, HealthTransitionRecord } from '../../engine/model.js';
import { decide } from '../../engine/monitor/decide.js';
import { DISK_KEYS, DiskCheck } from '../../engine/monitor/disk-check.js';
import { DEFAULT_THRESHOLDS } from '../../engine/monitor/health-state.js';
import { healthAlertMail } from '../../engine/notify/alert-mail.js';
import { diskVerdict, recoveryMargin } from '../../engine/prune/disk.js';

const GiB = 1024 ** 3;
const TOTAL = 100 * GiB;
const TEN_PERCENT: FreeThreshold = { percent: 10 };
const NO_HEAL = { enabled: false, maxRestarts: 3, coolingDown: false };

/** A disk's free space read once a round (GiB), judged and moved through the monitor's health rule: what ops hear, in order. */
function readings(freeGiB: number[], threshold: FreeThreshold = TEN_PERCENT) {
  let h: HealthRecord | undefined;
  const heard: string[] = [];
  freeGiB.forEach((free, i) => {
    const v = diskVerdict(free * GiB, TOTAL, threshold, h?.state === 'down');
    const d = decide(
      h,
      { key: DISK_KEYS.docker, kind: 'greenci', title: 'greenci disk /var/lib/docker', ...v },
      i * 10_000,
      DEFAULT_THRESHOLDS,
      NO_HEAL,
    );
    h = d.next;
    if (d.transition?.alert) heard.push(d.transition.to === 'healthy' ? 'space again' : `low: ${d.transition.detail}`);
  });
  return { heard, h: h! };
}

describe('the low-disk alert: the verdict (pure)', () => {
  it('too little below retention.minFree, a percentage or bytes, saying how much is free', () => {
    expect(diskVerdict(9 * GiB, TOTAL, TEN_PERCENT, false)).toEqual({
      ok: false,
      detail: '9.0 GiB free of 100.0 GiB (9.0 %), below retention.minFree 10 %',
    });
    expect(diskVerdict(11 * GiB, TOTAL, TEN_PERCENT, false)).toEqual({ ok: true });
    expect(diskVerdict(4 * GiB, TOTAL, { bytes: 5 * GiB }, false)).toEqual({
      ok: false,
      detail: '4.0 GiB free of 100.0 GiB (4.0 %), below retention.minFree 5.0 GiB',
    });
    expect(diskVerdict(6 * GiB, TOTAL, { bytes: 5 * GiB }, false)).toEqual({ ok: true });
  });

  it('once low, enough again only a margin above the threshold: 1 % of the disk or a tenth of the threshold, whichever is more', () => {
    expect(recoveryMargin(TOTAL, TEN_PERCENT)).toBe(1 * GiB);
    expect(recoveryMargin(TOTAL, { bytes: 50 * GiB })).toBe(5 * GiB);
    expect(diskVerdict(10.5 * GiB, TOTAL, TEN_PERCENT, true)).toEqual({
      ok: false,
      detail: '10.5 GiB free of 100.0 GiB (10.5 %), above retention.minFree but not yet back to 11.0 GiB, where it counts as enough again',
    });
    expect(diskVerdict(11 * GiB, TOTAL, TEN_PERCENT, true)).toEqual({ ok: true });
    // not low before: just above the threshold is enough
    expect(diskVerdict(10.5 * GiB, TOTAL, TEN_PERCENT, false)).toEqual({ ok: true });
  });

  it('ops hear once that the disk is low, nothing while it stays low, and once that it has space again', () => {
    const { heard, h } = readings([20, 9, 8, 7, 6, 5, 6, 12, 12, 12]);
    expect(heard).toEqual(['low: 8.0 GiB free of 100.0 GiB (8.0 %), below retention.minFree 10 %', 'space again']);
    expect(h).toMatchObject({ state: 'healthy', alerted: false });
  });

  it('a disk wobbling around the threshold after an alert does not page again: it recovers only above the margin', () => {
    // low twice (the alert), then hovering between 9.8 and 10.8 GiB (the threshold is 10, recovery from 11)
    const { heard, h } = readings([9, 9, 10.2, 9.8, 10.8, 10.1, 9.9, 10.6, 10.4]);
    expect(heard).toEqual(['low: 9.0 GiB free of 100.0 GiB (9.0 %), below retention.minFree 10 %']);
    expect(h).toMatchObject({ state: 'down', alerted: true });
    expect(readings([9, 9, 10.6, 11.5, 11.5]).heard).toEqual([expect.stringMatching(/^low: /), 'space again']);
  });

  it('one reading below the threshold is a blip: degraded, nobody paged', () => {
    expect(readings([20, 9.5, 10.2, 10.2, 20]).heard).toEqual([]);
  });

  it('the email names the disk: "✖ greenci disk … low on space", "✔ … has space again"', () => {
    const alert = (to: 'down' | 'healthy', id: number): HealthTransitionRecord => ({
      id,
      key: DISK_KEYS.docker,
      title: 'greenci disk /var/lib/docker, /var/lib/greenci',
      from: to === 'down' ? 'degraded' : 'down',
      to,
      detail: to === 'down' ? '3.0 GiB free of 100.0 GiB (3.0 %), below retention.minFree 10 %' : undefined,
      alert: true,
      at: Date.UTC(2026, 10, 28, 12, 0, 0),
    });
    const low = healthAlertMail([alert('down', 1)], ['ops@example.com'])!;
    expect(low.subject).toBe('✖ greenci disk /var/lib/docker, /var/lib/greenci low on space');
    expect(low.text).toContain('low on space at 2026-11-28 12:00:00 UTC: 3.0 GiB free of 100.0 GiB (3.0 %), below retention.minFree 10 %');
    expect(healthAlertMail([alert('healthy', 2)], ['ops@example.com'])!.subject).toBe(
      '✔ greenci disk /var/lib/docker, /var/lib/greenci has space again',
    );
  });
});

describe('the low-disk check: the filesystems it reads', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-disk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = (minFree: string) => {
    const parsed = parseConfig(`dataDir: ${dir}\nretention:\n  minFree: ${minFree}\nprojects:\n  p:\n    repo: /srv/git/p.git\n`, dir, {});
    if (!parsed.config) throw new Error(parsed.errors.join('; '));
    return parsed.config;
  };

  it('Docker’s data root and the data dir on one filesystem are one check naming both; a threshold larger than the disk fails it', async () => {
    let asked = 0;
    const check = new DiskCheck({ dataRoot: async () => (asked++, os.tmpdir()) });
    const r = await check.observe(config('1000000g'), new Map());
    expect(r.observations).toEqual([
      {
        key: DISK_KEYS.docker,
        kind: 'greenci',
        title: `greenci disk ${os.tmpdir()}, ${dir}`,
        ok: false,
        detail: expect.stringMatching(
          new RegExp(
            `^[\\d.]+ GiB free of [\\d.]+ GiB \\([\\d.]+ %\\), below retention.minFree 1000000.0 GiB, on the filesystem of Docker's data root ${os.tmpdir()} and greenci's data dir ${dir}$`,
          ),
        ),
      },
    ]);
    expect((await check.observe(config('1%'), new Map())).observations[0].ok).toBe(true);
    // Docker is asked where its data root is once, not every round (info takes tens of ms; statfs a twentieth of one)
    expect(asked).toBe(1);
  });

  it('a Docker that never answered: the data dir is checked alone', async () => {
    const check = new DiskCheck({ dataRoot: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')) });
    const r = await check.observe(config('1000000g'), new Map());
    expect(r.observations.map((o) => [o.key, o.title, o.ok])).toEqual([[DISK_KEYS.dataDir, `greenci disk ${dir}`, false]]);
    expect(r.retire).toEqual([]);
  });
});
