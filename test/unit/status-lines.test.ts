import { describe, expect, it } from 'vitest';
import type { DaemonInfo } from '../../engine/control/protocol.js';
import type { EngineEvent } from '../../engine/events.js';
import type { BuildRecord, DeploymentRecord } from '../../engine/model.js';
import { emptySnapshot, reduce, type Snapshot } from '../../engine/state.js';
import { statusText } from '../../views/format/status-lines.js';

/** Local-time instants, so the printed clock times do not depend on the machine's time zone. */
const T0 = new Date(2026, 10, 22, 17, 35, 4).getTime();
const NOW = T0 + 2 * 3600_000 + 5 * 60_000;

const daemon: DaemonInfo = {
  pid: 4242,
  version: '0.1.0',
  startedAt: NOW - 125_000,
  webhook: 'http://127.0.0.1:8080/webhook',
  socket: '/run/greenci/control.sock',
  draining: false,
};

const build = (
  id: number,
  project: string,
  branch: string,
  status: BuildRecord['status'],
  stages: BuildRecord['stages'] = [],
): BuildRecord => ({
  id,
  project,
  branch,
  status,
  stages,
  refSlug: branch.replace(/\//g, '-'),
  trigger: 'push',
  createdAt: T0 + id * 1000,
});

const deployment = (id: number, project: string, env: 'test' | 'production', rest: Partial<DeploymentRecord>): DeploymentRecord => ({
  id,
  project,
  env,
  kind: 'deploy',
  status: 'success',
  startedAt: T0,
  finishedAt: T0 + 30_000,
  ...rest,
});

/** The snapshot the daemon would hold after these events, built with the real reducer. */
const snapshotOf = (events: EngineEvent[]): Snapshot => events.reduce(reduce, emptySnapshot());

const shop = (): EngineEvent[] => [
  {
    type: 'deployment.updated',
    deployment: deployment(1, 'shop', 'production', { kind: 'promote', buildId: 3, releaseId: 2, version: 'v1.3.0' }),
  },
  { type: 'deployment.updated', deployment: deployment(2, 'shop', 'test', { buildId: 5 }) },
  { type: 'deployment.updated', deployment: deployment(3, 'blog', 'test', { buildId: 6 }) },
  { type: 'smee.state', project: 'shop', state: { state: 'connected', since: T0, channel: 'https://smee.io/abc123' } },
  {
    type: 'build.updated',
    build: build(7, 'shop', 'feature/cart', 'running', [
      { name: 'checkout', title: 'Check out', status: 'success' },
      { name: 'test', title: 'Run tests', status: 'running' },
    ]),
  },
  { type: 'build.updated', build: build(9, 'blog', 'main', 'queued') },
  { type: 'build.updated', build: build(8, 'shop', 'main', 'queued') },
  { type: 'build.updated', build: build(10, 'shop', 'feature/cart', 'queued') },
  { type: 'build.updated', build: build(4, 'shop', 'main', 'success') },
];

describe('greenci status', () => {
  it('with a daemon, the first line names its pid and where webhooks arrive', () => {
    // Given a daemon answering, with webhooks on 127.0.0.1:8080
    // When status is printed
    const first = statusText(snapshotOf(shop()), daemon, NOW).split('\n')[0];
    // Then the first line tells which process answers and its webhook address
    expect(first).toContain('pid 4242');
    expect(first).toContain('webhooks http://127.0.0.1:8080/webhook');
    expect(first).toContain('up 2m05s');
    expect(first).not.toContain('stopping');
  });

  it('says so when the daemon is stopping or has webhooks off', () => {
    const first = statusText(snapshotOf([]), { ...daemon, webhook: undefined, draining: true }, NOW).split('\n')[0];
    expect(first).toContain('(stopping)');
    expect(first).toContain('webhooks off');
  });

  it('without a daemon, the first line says it is not running', () => {
    const first = statusText(snapshotOf(shop()), undefined, NOW).split('\n')[0];
    expect(first).toMatch(/^daemon: not running/);
    expect(first).not.toContain('pid');
  });

  it('lists each live preview with its addresses, and one that failed with why', () => {
    const preview = {
      project: 'shop',
      envKey: 'preview-feature-cart-abc123' as const,
      sha: 'a'.repeat(40),
      ports: { web: 20100 },
      createdAt: T0,
      updatedAt: T0,
    };
    const text = statusText(
      snapshotOf([
        ...shop(),
        {
          type: 'preview.updated',
          project: 'shop',
          branch: 'feature/cart',
          preview: { ...preview, branch: 'feature/cart', buildId: 7, state: 'live', endpoints: { web: 'http://127.0.0.1:20100/health' } },
        },
        {
          type: 'preview.updated',
          project: 'shop',
          branch: 'pr:3',
          preview: { ...preview, branch: 'pr:3', buildId: 8, state: 'failed', reason: 'app web unhealthy', createdAt: T0 + 1 },
        },
      ]),
      daemon,
      NOW,
    );
    expect(text).toContain(
      'preview shop feature/cart: live, web http://127.0.0.1:20100 (build #7)\npreview shop pr:3: failed: app web unhealthy (build #8)',
    );
    expect(statusText(snapshotOf(shop()), daemon, NOW)).not.toContain('preview');
  });

  it("each project shows production's live version, or that it has no release", () => {
    // Given shop promoted v1.3.0 to production and blog only ever deployed to its test environment
    // When status is printed
    const text = statusText(snapshotOf(shop()), daemon, NOW);
    // Then the PRODUCTION column says what runs there
    const cells = (project: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${project} `))
        ?.split(/ {2,}/);
    expect(text).toMatch(/^PROJECT +PRODUCTION +LAST PRODUCTION CHANGE +TEST ENVIRONMENT +SMEE$/m);
    expect(cells('shop')?.slice(0, 4)).toEqual([
      'shop',
      'v1.3.0',
      'promote v1.3.0 success 2026-11-22 17:35:34',
      'build #5 success 2026-11-22 17:35:34',
    ]);
    expect(cells('blog')?.slice(0, 3)).toEqual(['blog', 'no release', '-']);
  });

  it('a project whose production was stopped shows no release', () => {
    const events: EngineEvent[] = [
      ...shop(),
      { type: 'deployment.updated', deployment: deployment(4, 'shop', 'production', { kind: 'stop' }) },
    ];
    const row = statusText(snapshotOf(events), daemon, NOW)
      .split('\n')
      .find((l) => l.startsWith('shop '));
    expect(row?.split(/ {2,}/)[1]).toBe('no release');
    expect(row).toContain('stop success');
  });

  it('lists the running build with its current stage and the queued builds oldest first', () => {
    const lines = statusText(snapshotOf(shop()), daemon, NOW).split('\n');
    expect(lines).toContain('running: #7 shop feature/cart (test)');
    expect(lines).toContain('queued:  #8 shop main, #9 blog main, #10 shop feature/cart');
  });

  it('a running build that has not reached a stage yet shows as starting', () => {
    const lines = statusText(snapshotOf([{ type: 'build.updated', build: build(11, 'blog', 'main', 'running') }]), daemon, NOW).split('\n');
    expect(lines).toContain('running: #11 blog main (starting)');
  });

  it('says none when nothing runs or waits', () => {
    const lines = statusText(snapshotOf([{ type: 'build.updated', build: build(4, 'shop', 'main', 'success') }]), daemon, NOW).split('\n');
    expect(lines).toContain('running: none');
    expect(lines).toContain('queued:  none');
  });

  it("shows each project's smee connection and since when", () => {
    const text = statusText(snapshotOf(shop()), daemon, NOW);
    const row = (project: string) => text.split('\n').find((l) => l.startsWith(`${project} `));
    expect(row('shop')).toMatch(/connected since 17:35:04$/);
    expect(row('blog')).toMatch(/ -$/);
    const disconnected = snapshotOf([
      ...shop(),
      { type: 'smee.state', project: 'shop', state: { state: 'disconnected', since: T0 + 60_000, channel: 'https://smee.io/abc123' } },
    ]);
    expect(statusText(disconnected, daemon, NOW)).toMatch(/^shop .*disconnected since 17:36:04$/m);
  });
});
