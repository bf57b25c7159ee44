import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import { diskText, pruneText } from '../../src/commands/prune-text.js';
import { planBackups } from '../../engine/prune/backups.js';
import { diskProblem, diskReport } from '../../engine/prune/disk.js';
import { planPrune } from '../../engine/prune/retention.js';
import type {
  HostContainer,
  HostImage,
  KeptItem,
  PruneOutcome,
  ReleaseFact,
  RetentionPolicy,
  RetentionRecords,
} from '../../engine/prune/types.js';

/**
 * The retention rule on a realistic host: green released v0.1.0 to v0.12.0 from master builds #1 to
 * #12, rolled back to v0.11.0 (held by bob; v0.12.0's apps stopped but still in the front proxy's
 * warm slot), built master again as #14 (tested, not released: held), feature-x failed as #13 and
 * runs again as #15, #16 is queued. v0.5.0 shipped v0.2.0's billing-db image (the same id, a tag
 * each). A debugging container nobody labelled runs v0.2.0's weight image.
 */

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const APPS = ['weight', 'billing', 'weight-db', 'billing-db'] as const;
const BASE = 100_000_000;
const hex = (n: number, app: string) => `sha256:${String(n).padStart(4, '0')}${app.replace(/-/g, '')}`.padEnd(71, '0');
const img = (build: number, app: string) => hex(build, app);

/** The base image, one cached COPY step per app shared by every build, each build's own image on top. */
function hostImages(): HostImage[] {
  const base: HostImage = { id: 'sha256:base', tags: ['greenci/node:20-local'], labels: { 'greenci.base.node': 'v20' }, size: BASE };
  const steps = APPS.map((app) => ({
    id: `sha256:step-${app}`,
    parentId: base.id,
    tags: [],
    labels: { 'greenci.base.node': 'v20' },
    size: BASE + 1000,
  }));
  const images: HostImage[] = [base, ...steps];
  const built = (build: number, app: string, tags: string[], parentId = `sha256:step-${app}`, size = BASE + 1010): HostImage => ({
    id: img(build, app),
    parentId,
    tags,
    labels: { 'greenci.project': 'green', 'greenci.app': app, 'greenci.build': String(build), 'greenci.commit': `c${build}` },
    size,
  });
  for (let b = 1; b <= 12; b++)
    for (const app of APPS) {
      // v0.5.0 (build #5) shipped build #2's billing-db: build #5 made no billing-db image of its own
      if (b === 5 && app === 'billing-db') continue;
      const tags = [`green-${app}:v0.${b}.0-prod`];
      if (b === 2 && app === 'billing-db') tags.push('green-billing-db:v0.5.0-prod');
      images.push(built(b, app, tags));
    }
  // feature-x's failed build changed billing: its own COPY step, nothing else built on it
  images.push({ id: 'sha256:step-billing-x', parentId: base.id, tags: [], labels: { 'greenci.base.node': 'v20' }, size: BASE + 5000 });
  for (const app of APPS)
    images.push(
      app === 'billing'
        ? built(13, app, ['green-billing:feature-x-test'], 'sha256:step-billing-x', BASE + 5010)
        : built(13, app, [`green-${app}:feature-x-test`]),
    );
  for (const app of APPS) images.push(built(14, app, [`green-${app}:master-test`]));
  images.push(built(15, 'weight', []));
  // a label step build #9's weight image stood on, left when that image was removed by hand (noprune)
  images.push({
    id: 'sha256:orphan-9',
    parentId: 'sha256:step-weight',
    tags: [],
    labels: { 'greenci.app': 'weight', 'greenci.build': '9', 'greenci.commit': 'c9' },
    size: BASE + 1000,
  });
  // the same kind of step of a build greenci has no record of (another greenci's, another project's): left alone
  images.push({
    id: 'sha256:orphan-other',
    parentId: 'sha256:step-weight',
    tags: [],
    labels: { 'greenci.app': 'weight', 'greenci.build': '9', 'greenci.commit': 'c-elsewhere' },
    size: BASE + 1000,
  });
  // someone else's: never a candidate
  images.push({ id: 'sha256:foreign', parentId: base.id, tags: ['acme/tool:1'], labels: {}, size: BASE + 77 });
  images.push({ id: 'sha256:foreign-dangling', tags: [], labels: {}, size: 500 });
  return images;
}

const c = (name: string, state: string, labels: Record<string, string>, imageId: string, sizeRw = 100): HostContainer => ({
  id: `id-${name}`,
  name,
  imageId,
  labels: { 'greenci.project': 'green', ...labels },
  state,
  sizeRw,
});

function hostContainers(): HostContainer[] {
  const prod = { 'greenci.env': 'production' };
  const test = { 'greenci.env': 'test' };
  return [
    c('green-production-proxy', 'running', { ...prod, 'greenci.role': 'proxy', 'greenci.service': 'proxy' }, 'sha256:haproxy'),
    c(
      'green-production-weight-db',
      'running',
      { ...prod, 'greenci.role': 'service', 'greenci.service': 'weight-db', 'greenci.release': 'v0.1.0' },
      img(1, 'weight-db'),
    ),
    c(
      'green-production-billing-db',
      'exited',
      { ...prod, 'greenci.role': 'service', 'greenci.service': 'billing-db', 'greenci.release': 'v0.2.0' },
      img(2, 'billing-db'),
    ),
    ...(['weight', 'billing'] as const).flatMap((app) => [
      c(
        `green-production-${app}-v0.11.0`,
        'running',
        { ...prod, 'greenci.role': 'app', 'greenci.service': app, 'greenci.release': 'v0.11.0', 'greenci.slot': 'a' },
        img(11, app),
      ),
      c(
        `green-production-${app}-v0.12.0`,
        'exited',
        { ...prod, 'greenci.role': 'app', 'greenci.service': app, 'greenci.release': 'v0.12.0', 'greenci.slot': 'b' },
        img(12, app),
      ),
      c(
        `green-production-${app}-v0.10.0`,
        'exited',
        { ...prod, 'greenci.role': 'app', 'greenci.service': app, 'greenci.release': 'v0.10.0', 'greenci.slot': 'a' },
        img(10, app),
      ),
    ]),
    c(
      'green-test-weight',
      'running',
      { ...test, 'greenci.role': 'app', 'greenci.service': 'weight', 'greenci.build': '14' },
      img(14, 'weight'),
    ),
    c(
      'green-test-billing',
      'exited',
      { ...test, 'greenci.role': 'app', 'greenci.service': 'billing', 'greenci.build': '14' },
      img(14, 'billing'),
    ),
    c('green-test-run-13-api', 'exited', { ...test, 'greenci.role': 'test', 'greenci.build': '13' }, 'sha256:test-13', 4096),
    c('green-test-run-15-api', 'exited', { ...test, 'greenci.role': 'test', 'greenci.build': '15' }, 'sha256:test-15'),
    // no greenci labels: never a candidate, but the image it runs stays
    { id: 'id-debug', name: 'debug', imageId: img(2, 'weight'), labels: {}, state: 'running' },
    // another project's: not this prune's business
    c('other-test-run-3-api', 'exited', { 'greenci.project': 'other', 'greenci.role': 'test', 'greenci.build': '3' }, 'sha256:other'),
  ];
}

const release = (n: number): ReleaseFact => ({
  version: `v0.${n}.0`,
  images: Object.fromEntries(
    APPS.map((app) => {
      const from = n === 5 && app === 'billing-db' ? 2 : n;
      return [app, { ref: `green-${app}:v0.${n}.0-prod`, id: img(from, app) }];
    }),
  ),
  createdAt: NOW - (13 - n) * DAY,
});

function records(): RetentionRecords {
  return {
    project: 'green',
    productionBranch: 'master',
    releases: Array.from({ length: 12 }, (_, i) => release(12 - i)),
    live: 'v0.11.0',
    hold: { version: 'v0.11.0', by: 'bob' },
    warm: ['v0.11.0', 'v0.12.0'],
    releasable: { buildId: 14, images: Object.fromEntries(APPS.map((app) => [app, img(14, app)])) },
    testEnv: { buildId: 14, branch: 'master' },
    activeBuilds: [
      { id: 15, status: 'running', branch: 'feature-x' },
      { id: 16, status: 'queued', branch: 'feature-y' },
    ],
    backups: [],
    buildLogs: [
      ...[1, 2, 3].map((b) => ({ buildId: b, status: 'success' as const, endedAt: NOW - 40 * DAY, lines: 300, bytes: 20_000 })),
      { buildId: 4, status: 'success', endedAt: NOW - 29 * DAY, lines: 300, bytes: 20_000 },
      { buildId: 15, status: 'running', lines: 12, bytes: 800 },
    ],
    buildCommits: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [String(i + 1), `c${i + 1}`])),
    worktrees: [
      { buildId: 13, path: '/data/work/green/13', bytes: 52_000, status: 'failed' },
      { buildId: 15, path: '/data/work/green/15', bytes: 52_000, status: 'running' },
      { buildId: 99, path: '/data/work/green/99', bytes: 1, status: undefined },
    ],
  };
}

const POLICY: RetentionPolicy = { releases: 10, buildLogDays: 30, backups: { days: 30 } };
const byKind = (plan: ReturnType<typeof planPrune>, kind: string) => plan.remove.filter((i) => i.kind === kind);

describe('retention: what greenci keeps and removes', () => {
  const plan = planPrune(records(), { images: hostImages(), containers: hostContainers() }, POLICY, { now: NOW });

  it('removes the images of releases older than the last 10 (not live, held or warm), by id, with every tag', () => {
    const pruned = (n: number, app: string) => ({
      kind: 'image',
      id: img(n, app),
      what: `green-${app}:v0.${n}.0-prod (${img(n, app).slice(0, 19)})`,
      reason: `release v0.${n}.0: not live, held or warm, and older than the last 10`,
      bytes: 10,
    });
    expect(byKind(plan, 'image').filter((i) => i.reason.startsWith('release'))).toEqual([
      pruned(1, 'weight'),
      pruned(1, 'billing'),
      // v0.1.0's weight-db runs production's database: in use, kept
      pruned(1, 'billing-db'),
      // v0.2.0's weight image is in use by a foreign container; its billing-db is v0.5.0's too
      pruned(2, 'billing'),
      pruned(2, 'weight-db'),
    ]);
  });

  it('keeps an image a kept release shares with a pruned one and removes only the pruned release’s tag, never an image’s last name', () => {
    expect(byKind(plan, 'tag')).toEqual([
      {
        kind: 'tag',
        id: 'green-billing-db:v0.2.0-prod',
        what: 'green-billing-db:v0.2.0-prod',
        reason: 'release v0.2.0 is pruned; the image stays (rollback target v0.5.0 (one of the last 10))',
        bytes: 0,
        of: img(2, 'billing-db'),
      },
    ]);
    // an image's only name stays: Docker would delete the image with it (v0.1.0's weight-db runs production's database)
    expect(plan.keep.find((k) => k.id === img(1, 'weight-db'))).toMatchObject({
      what: `green-weight-db:v0.1.0-prod (${img(1, 'weight-db').slice(0, 19)})`,
      reasons: ['in use by container green-production-weight-db'],
    });
    const shared = plan.keep.find((k) => k.id === img(2, 'billing-db'))!;
    expect(shared.reasons).toEqual(['rollback target v0.5.0 (one of the last 10)', 'in use by container green-production-billing-db']);
  });

  it('keeps every rollback target: the live and held v0.11.0, the warm v0.12.0, v0.3.0 to v0.10.0', () => {
    const reasonsOf = (n: number, app: string) => plan.keep.find((k) => k.id === img(n, app))?.reasons;
    expect(reasonsOf(11, 'billing')).toEqual(['live release v0.11.0', 'in use by container green-production-billing-v0.11.0']);
    expect(reasonsOf(12, 'weight')).toEqual([
      'rollback target v0.12.0 (one of the last 10)',
      'warm release v0.12.0 (the front proxy keeps it)',
      'in use by container green-production-weight-v0.12.0',
    ]);
    expect(reasonsOf(3, 'weight-db')).toEqual(['rollback target v0.3.0 (one of the last 10)']);
    for (let n = 3; n <= 12; n++)
      for (const app of APPS) expect(plan.keep.some((k) => k.id === img(n === 5 && app === 'billing-db' ? 2 : n, app))).toBe(true);
  });

  it('keeps the held build’s tested images (greenci release), the test environment’s, and a running build’s; removes a failed build’s', () => {
    expect(plan.keep.find((k) => k.id === img(14, 'weight-db'))?.reasons).toEqual([
      'tested by build #14, the newest master build that passed (greenci release)',
      'test environment of master (build #14)',
    ]);
    expect(plan.keep.find((k) => k.id === img(15, 'weight'))?.reasons).toEqual(['build #15 running']);
    expect(byKind(plan, 'image').filter((i) => !i.reason.startsWith('release'))).toEqual(
      APPS.map((app) => ({
        kind: 'image',
        id: img(13, app),
        what: `green-${app}:feature-x-test (${img(13, app).slice(0, 19)})`,
        reason: 'an image of build #13: no kept release, the test environment, the newest tested build or a running build needs it',
        bytes: 10,
      })),
    );
  });

  it('removes the build cache nothing kept stands on, and never a base image, a shared step or a foreign image', () => {
    expect(byKind(plan, 'cache')).toEqual([
      {
        kind: 'cache',
        id: 'sha256:orphan-9',
        what: 'build step sha256:orphan-9',
        reason: 'build cache of removed images: nothing else is built on it',
        bytes: 0,
      },
      {
        kind: 'cache',
        id: 'sha256:step-billing-x',
        what: 'build step sha256:step-billing',
        reason: 'build cache of removed images: nothing else is built on it',
        bytes: 5000,
      },
    ]);
    const removed = new Set(plan.remove.map((i) => i.id));
    for (const id of [
      'sha256:base',
      'sha256:foreign',
      'sha256:foreign-dangling',
      'sha256:orphan-other',
      ...APPS.map((a) => `sha256:step-${a}`),
    ])
      expect(removed.has(id)).toBe(false);
  });

  it('removes stopped containers of ended test steps and of releases neither live nor warm; keeps standing ones', () => {
    expect(byKind(plan, 'container')).toEqual([
      ...['weight', 'billing'].map((app) => ({
        kind: 'container',
        id: `id-green-production-${app}-v0.10.0`,
        what: `green-production-${app}-v0.10.0`,
        reason: `stopped app ${app} of release v0.10.0, neither live nor warm`,
        bytes: 100,
      })),
      {
        kind: 'container',
        id: 'id-green-test-run-13-api',
        what: 'green-test-run-13-api',
        reason: 'stopped test step of build #13, which ended',
        bytes: 4096,
      },
    ]);
    const kept = Object.fromEntries(plan.keep.filter((k) => k.kind === 'container').map((k) => [k.what, k.reasons]));
    expect(kept).toEqual({
      'green-production-proxy': ["production's front proxy"],
      'green-production-weight-db': ["production's weight-db (a standing environment)"],
      'green-production-billing-db': ["production's billing-db (a standing environment)"],
      'green-production-weight-v0.11.0': ['live release v0.11.0'],
      'green-production-billing-v0.11.0': ['live release v0.11.0'],
      'green-production-weight-v0.12.0': ['warm release v0.12.0 (the front proxy keeps it)'],
      'green-production-billing-v0.12.0': ['warm release v0.12.0 (the front proxy keeps it)'],
      'green-test-weight': ['test environment of master (build #14)'],
      'green-test-billing': ['test environment of master (build #14)'],
      'green-test-run-15-api': ['build #15 running'],
    });
  });

  it('removes worktrees of ended builds and the log lines of builds that ended more than 30 days ago (the builds stay)', () => {
    expect(byKind(plan, 'worktree')).toEqual([
      { kind: 'worktree', id: '/data/work/green/13', what: 'worktree of build #13', reason: 'build #13 ended', bytes: 52_000 },
    ]);
    expect(byKind(plan, 'build-log')).toEqual(
      [1, 2, 3].map((b) => ({
        kind: 'build-log',
        id: String(b),
        what: `log of build #${b} (300 lines)`,
        reason: `build #${b} ended 40 days ago (retention.buildLogs.days: 30); the build stays listed`,
        bytes: 20_000,
      })),
    );
  });

  it('lists removals in the order they can be carried out: containers, tags, images, cache, worktrees, logs', () => {
    const runs: [string, number][] = [];
    for (const i of plan.remove) runs.at(-1)?.[0] === i.kind ? runs.at(-1)![1]++ : runs.push([i.kind, 1]);
    expect(runs).toEqual([
      ['container', 3],
      ['tag', 1],
      ['image', 9],
      ['cache', 2],
      ['worktree', 1],
      ['build-log', 3],
    ]);
    expect(plan.notes).toEqual([]);
  });

  it('with a build running anywhere, the build cache is left for the next prune and says why', () => {
    const blocked = planPrune(records(), { images: hostImages(), containers: hostContainers() }, POLICY, {
      now: NOW,
      cacheBlockedBy: 'build #15 of green is running',
    });
    expect(byKind(blocked, 'cache')).toEqual([]);
    expect(blocked.notes).toEqual(['build cache left for the next prune: build #15 of green is running (it may be using it)']);
  });

  it('a smaller N prunes more releases but never the live, held or warm ones', () => {
    const small = planPrune(records(), { images: hostImages(), containers: hostContainers() }, { ...POLICY, releases: 1 }, { now: NOW });
    const prunedReleases = [...new Set(byKind(small, 'image').flatMap((i) => /^release (v\S+):/.exec(i.reason)?.[1] ?? []))];
    expect(prunedReleases).toEqual(['v0.1.0', 'v0.2.0', 'v0.3.0', 'v0.4.0', 'v0.5.0', 'v0.6.0', 'v0.7.0', 'v0.8.0', 'v0.9.0', 'v0.10.0']);
    expect(small.keep.find((k) => k.id === img(11, 'weight'))?.reasons[0]).toBe('live release v0.11.0');
    expect(small.keep.find((k) => k.id === img(12, 'weight'))?.reasons[0]).toBe('rollback target v0.12.0 (one of the last 1)');
  });
});

describe('backups', () => {
  const b = (id: string, release: string, ageDays: number, bytes = 100, service = 'billing-db') => ({
    id,
    release,
    service,
    takenAt: NOW - ageDays * DAY,
    bytes,
    path: `/data/backups/green/${service}/${id}.sql.gz`,
  });

  it('keeps each kept release’s newest backup of each service whatever its age, and the recent ones; removes the rest', () => {
    const r = planBackups(
      [b('1', 'v0.1.0', 90), b('2', 'v0.3.0', 80), b('3', 'v0.3.0', 60), b('3w', 'v0.3.0', 70, 100, 'weight-db'), b('4', 'v0.4.0', 2)],
      new Set(['v0.3.0', 'v0.4.0']),
      { days: 30 },
      NOW,
    );
    expect(r.keep.map((k) => [k.what, k.reasons])).toEqual([
      ['backup 4 of billing-db (v0.4.0)', ['the newest backup of billing-db for kept release v0.4.0', 'taken within 30 days']],
      ['backup 3 of billing-db (v0.3.0)', ['the newest backup of billing-db for kept release v0.3.0']],
      ['backup 3w of weight-db (v0.3.0)', ['the newest backup of weight-db for kept release v0.3.0']],
    ]);
    expect(r.remove).toEqual(
      ['2', '1'].map((id) => ({
        kind: 'backup',
        id,
        what: `backup ${id} of billing-db (v0.${id === '2' ? 3 : 1}.0)`,
        reason: "older than 30 days and not a kept release's newest",
        bytes: 100,
        path: `/data/backups/green/billing-db/${id}.sql.gz`,
      })),
    );
  });

  it('above maxSize the oldest recent backups go first; a kept release’s newest never does', () => {
    const r = planBackups(
      [b('1', 'v0.4.0', 1, 600), b('2', 'v0.4.0', 3, 600), b('3', 'v0.3.0', 5, 600)],
      new Set(['v0.3.0', 'v0.4.0']),
      { days: 30, maxBytes: 1000 },
      NOW,
    );
    expect(r.remove.map((i) => [i.id, i.reason])).toEqual([['2', 'over retention.backups.maxSize: the oldest recent backups go first']]);
    expect(r.keep.map((k) => k.id)).toEqual(['1', '3']);
    expect(r.notes).toEqual(["backups stay above retention.backups.maxSize: kept releases' newest backups are never removed"]);
  });
});

describe('disk', () => {
  it('adds up greenci’s images (their own layers), the build cache under them, containers and volumes', () => {
    const report = diskReport(
      {
        images: hostImages(),
        containers: hostContainers(),
        volumes: [
          { name: 'green-production-billing-db-data', labels: { 'greenci.project': 'green' }, bytes: 2048 },
          { name: 'somebody-elses', labels: {}, bytes: 1_000_000 },
        ],
        database: 5000,
        dataDir: 90_000,
        filesystems: [
          { name: 'docker', path: '/var/lib/docker', free: 2 * 1024 ** 3, total: 40 * 1024 ** 3 },
          { name: 'dataDir', path: '/var/lib/greenci', free: 30 * 1024 ** 3, total: 40 * 1024 ** 3 },
        ],
      },
      { percent: 10 },
    );
    // 56 labelled images of 10 bytes each (build #13's billing too); the 5 COPY steps (4 shared, feature-x's own);
    // orphaned label steps are not counted (no labelled image stands on them: they are found only by prune);
    // 13 labelled containers (another project's too: the disk is the host's) and a test step's 4 KB
    expect(report.greenci).toEqual({
      images: 560,
      buildCache: 4 * 1000 + 5000,
      containers: 100 * 13 + 4096,
      volumes: 2048,
      database: 5000,
      dataDir: 90_000,
    });
    expect(report.filesystems.map((f) => f.problem)).toEqual([
      '/var/lib/docker: 2.0 GiB free of 40.0 GiB (5.0 %), below retention.minFree 10 %',
      undefined,
    ]);
  });

  it('diskProblem: a share or a number of bytes', () => {
    expect(diskProblem(5 * 1024 ** 3, 100 * 1024 ** 3, { bytes: 10 * 1024 ** 3 })).toBe(
      '5.0 GiB free of 100.0 GiB (5.0 %), below retention.minFree 10.0 GiB',
    );
    expect(diskProblem(20 * 1024 ** 3, 100 * 1024 ** 3, { bytes: 10 * 1024 ** 3 })).toBeUndefined();
    expect(diskProblem(20, 100, { percent: 20 })).toBeUndefined();
    expect(diskProblem(19, 100, { percent: 20 })).toMatch(/\(19\.0 %\), below retention.minFree 20 %$/);
  });
});

describe('retention config', () => {
  const parse = (yaml: string) => parseConfig(`projects:\n  green:\n    repo: /srv/git/green.git\n${yaml}`, '/etc/greenci', {});

  it('defaults: the last 10 releases, 30 days of logs and backups, daily at 03:30, after each release, 10 % free', () => {
    expect(parse('').config?.retention).toEqual({
      releases: 10,
      buildLogs: { days: 30 },
      backups: { days: 30 },
      schedule: '30 3 * * *',
      afterRelease: true,
      minFree: { percent: 10 },
    });
  });

  it('sizes and thresholds as people write them; mistakes named by their path', () => {
    expect(parse('retention:\n  backups: { maxSize: 20g }\n  minFree: 5g\n').config?.retention).toMatchObject({
      backups: { days: 30, maxSize: 20 * 1024 ** 3 },
      minFree: { bytes: 5 * 1024 ** 3 },
    });
    expect(parse('retention:\n  releases: 0\n  schedule: every day\n  minFree: lots\n').errors).toEqual([
      'retention.releases: Too small: expected number to be >=1',
      'retention.schedule: not a cron expression (five fields, or six with seconds)',
      'retention.minFree: not a size or a percentage: "lots" (use e.g. 5g or 10%)',
    ]);
  });
});

describe('what greenci prune and greenci status print', () => {
  const would = (kind: PruneOutcome['kind'], what: string, reason: string, bytes: number): PruneOutcome => ({
    kind,
    id: what,
    what,
    reason,
    bytes,
    outcome: 'would',
  });
  const kept = (kind: KeptItem['kind'], n: number, reason: string): KeptItem[] =>
    Array.from({ length: n }, (_, i) => ({ kind, id: `${reason}${i}`, what: '', reasons: [reason], bytes: 0 }));

  it('a dry run: each thing with its size and reason, then what was kept summed up by reason (the README shows this)', () => {
    const removed = [
      would('container', 'green-production-weight-v0.1.0', 'stopped app weight of release v0.1.0, neither live nor warm', 0),
      would(
        'image',
        'green-weight:v0.1.0-prod (sha256:2663fc9a8eba)',
        'release v0.1.0: not live, held or warm, and older than the last 10',
        0,
      ),
      would('cache', 'build step sha256:b3ed9e4729ba', 'build cache of removed images: nothing else is built on it', 263_100),
      would('worktree', 'worktree of build #1', 'build #1 ended', 52_000),
    ];
    const text = pruneText({
      project: 'green',
      dryRun: true,
      requestedBy: 'alice',
      startedAt: 0,
      finishedAt: 0,
      notes: [],
      removed,
      bytes: 315_100,
      kept: [
        ...kept('image', 4, 'live release v0.12.0'),
        ...kept('container', 2, 'live release v0.12.0'),
        ...kept('image', 4, 'rollback target v0.11.0 (one of the last 10)'),
      ],
    });
    expect(text.split('\n')).toEqual([
      'prune green (dry run: nothing was removed): would remove 1 container, 1 image, 1 build cache step, 1 worktree, 308 KB',
      '  container green-production-weight-v0.1.0                      0 B  stopped app weight of release v0.1.0, neither live nor warm',
      '  image     green-weight:v0.1.0-prod (sha256:2663fc9a8eba)      0 B  release v0.1.0: not live, held or warm, and older than the last 10',
      '  cache     build step sha256:b3ed9e4729ba                   257 KB  build cache of removed images: nothing else is built on it',
      '  worktree  worktree of build #1                              51 KB  build #1 ended',
      '  kept: 8 images, 2 containers',
      '    live release v0.12.0: 4 images, 2 containers',
      '    rollback target v0.11.0 (one of the last 10): 4 images',
    ]);
  });

  it('status: what greenci takes, and the free space with a problem said', () => {
    const text = diskText({
      greenci: {
        images: 212 * 1024,
        buildCache: 3.4 * 1024 ** 2,
        containers: 1.2 * 1024 ** 2,
        volumes: 24 * 1024,
        database: 4.1 * 1024 ** 2,
        dataDir: 5.3 * 1024 ** 2,
      },
      filesystems: [
        { name: 'docker', path: '/var/lib/docker', free: 2 * 1024 ** 3, total: 40 * 1024 ** 3, problem: 'x' },
        { name: 'dataDir', path: '/var/lib/greenci', free: 31 * 1024 ** 3, total: 49 * 1024 ** 3 },
      ],
    });
    expect(text.split('\n')).toEqual([
      'disk greenci: images 212 KB, build cache 3.4 MB, containers 1.2 MB, volumes 24 KB (data, never pruned); database 4.1 MB, data dir 5.3 MB',
      "disk free: 2.0 GB of 40 GB (5 %) on Docker's data root /var/lib/docker — below retention.minFree (greenci prune frees what greenci no longer needs)",
      "disk free: 31 GB of 49 GB (63 %) on greenci's data dir /var/lib/greenci",
    ]);
  });
});
