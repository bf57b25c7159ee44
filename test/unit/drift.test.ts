import { describe, expect, it } from 'vitest';
import type { ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import { productionDrift, type RunningService } from '../../engine/pipeline/drift.js';
import type { ReleaseRecord } from '../../engine/model.js';

const BILLING_ID = `sha256:${'b1'.repeat(32)}`;
const WEB_ID = `sha256:${'a7'.repeat(32)}`;
const POSTGRES_ID = `sha256:${'0d'.repeat(32)}`;
const OTHER_ID = `sha256:${'c3c3c3c3c3c3'}${'ee'.repeat(26)}`;

/** Production of "shop": a database and two apps that depend on it. */
const spec = {
  services: [
    { name: 'db', kind: 'service', image: 'postgres:16', env: {}, dependsOn: [] } as ServiceSpec,
    { name: 'billing', kind: 'app', env: {}, dependsOn: ['db'], port: 8080, health: '/health' } as ServiceSpec,
    { name: 'web', kind: 'app', env: {}, dependsOn: ['db'], port: 3000, health: '/' } as ServiceSpec,
  ],
  tests: [],
  environments: {} as ProjectSpec['environments'],
} as ProjectSpec;

const release: ReleaseRecord = {
  id: 4,
  project: 'shop',
  version: 'v1.3.0',
  sha: '199eddf46df50de8d02e99bf1c5fdb4101338224',
  buildId: 31,
  images: {
    db: { ref: 'postgres:16', id: POSTGRES_ID },
    billing: { ref: 'greenci/shop-billing:v1.3.0', id: BILLING_ID },
    web: { ref: 'greenci/shop-web:v1.3.0', id: WEB_ID },
  },
  tagPushed: true,
  createdAt: Date.UTC(2026, 0, 5),
};

/** What Docker shows when production is exactly the release. */
const healthy = (): RunningService[] => [
  { service: 'db', state: 'running', imageId: POSTGRES_ID },
  { service: 'billing', state: 'running', imageId: BILLING_ID, release: 'v1.3.0' },
  { service: 'web', state: 'running', imageId: WEB_ID, release: 'v1.3.0' },
];

const replace = (running: RunningService[], service: string, change: Partial<RunningService> | null): RunningService[] =>
  running.flatMap((r) => (r.service !== service ? [r] : change === null ? [] : [{ ...r, ...change }]));

describe('productionDrift: how production differs from the live release', () => {
  it('reports nothing when production runs the release', () => {
    expect(productionDrift(release, spec, healthy())).toEqual([]);
  });

  it('reports an app with no container', () => {
    // Given billing's container was removed
    const running = replace(healthy(), 'billing', null);
    // When production is compared with the release
    // Then that is the one problem
    expect(productionDrift(release, spec, running)).toEqual(['billing: no container']);
  });

  it('reports a stopped app with its state', () => {
    const running = replace(healthy(), 'web', { state: 'exited' });
    expect(productionDrift(release, spec, running)).toEqual(['web: exited']);
  });

  it('reports a stopped supporting service too', () => {
    const running = replace(healthy(), 'db', { state: 'restarting' });
    expect(productionDrift(release, spec, running)).toEqual(['db: restarting']);
  });

  it("reports an app on another image, naming the release's image", () => {
    const running = replace(healthy(), 'billing', { imageId: OTHER_ID });
    const problems = productionDrift(release, spec, running);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^billing: /);
    expect(problems[0]).toContain('greenci/shop-billing:v1.3.0');
    expect(problems[0]).toContain('c3c3c3c3c3c3');
  });

  it('reports an app labelled with another release', () => {
    const running = replace(healthy(), 'web', { release: 'v1.2.0' });
    const problems = productionDrift(release, spec, running);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^web: /);
    expect(problems[0]).toContain('v1.2.0');
    expect(problems[0]).toContain('v1.3.0');
  });

  it('reports an app without a release label', () => {
    const running = replace(healthy(), 'web', { release: undefined });
    expect(productionDrift(release, spec, running)).toEqual([expect.stringMatching(/^web: .*none.*v1\.3\.0/)]);
  });

  it('accepts a stopped duplicate next to the running container', () => {
    // Given an old, exited billing container left beside the running one (listed first)
    const running = [{ service: 'billing', state: 'exited', imageId: OTHER_ID, release: 'v1.2.0' }, ...healthy()];
    expect(productionDrift(release, spec, running)).toEqual([]);
  });

  it('reports every service that drifted, in start order', () => {
    const running = replace(replace(healthy(), 'db', { state: 'exited' }), 'web', null);
    expect(productionDrift(release, spec, running)).toEqual(['db: exited', 'web: no container']);
  });
});

describe('production drift behind the front proxy', () => {
  const proxied = (): RunningService[] => [
    { service: 'db', state: 'running', imageId: POSTGRES_ID },
    { service: 'billing', state: 'running', imageId: BILLING_ID, release: 'v1.3.0', slot: 'b' },
    { service: 'web', state: 'running', imageId: WEB_ID, release: 'v1.3.0', slot: 'b' },
    // the previous release, warm beside it
    { service: 'billing', state: 'running', imageId: OTHER_ID, release: 'v1.2.0', slot: 'a' },
    { service: 'web', state: 'running', imageId: OTHER_ID, release: 'v1.2.0', slot: 'a' },
  ];

  it('the warm previous release beside the live one is no drift', () => {
    expect(productionDrift(release, spec, proxied())).toEqual([]);
  });

  it("the live release's app gone while the warm one runs: no container (the warm one does not stand in for it)", () => {
    const running = proxied().filter((r) => !(r.service === 'billing' && r.release === 'v1.3.0'));
    expect(productionDrift(release, spec, running)).toEqual(['billing: no container']);
  });
});
