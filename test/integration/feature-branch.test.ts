import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { openStore } from '../../engine/store/index.js';
import { docker, envContainers, getJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

describe('feature branches build and test in the isolated test environment', () => {
  let g: GreenSetup;
  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '8s' });
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('a good push: images tagged …-test, test environment healthy, tests pass, every stage recorded, production untouched', async () => {
    await g.origin.checkoutNewBranch('feature/123');
    const sha = await g.origin.commitAll('feat: weigh twice');
    await g.origin.push('feature/123');

    const build = await g.engine.run({ project: g.project, branch: 'feature/123', requestedBy: 'dev' });

    expect(build.status, build.reason).toBe('success');
    expect(build.sha).toBe(sha);
    for (const app of ['weight', 'billing', 'weight-db', 'billing-db']) {
      const img = await docker.api.getImage(`${g.project}-${app}:feature-123-test`).inspect();
      expect(img.Config.Labels).toMatchObject({
        [LABEL.project]: g.project,
        [LABEL.app]: app,
        [LABEL.commit]: sha,
        [LABEL.build]: String(build.id),
      });
    }
    const test = await envContainers(g.project, 'test');
    expect(Object.keys(test).sort()).toEqual(['billing', 'billing-db', 'weight', 'weight-db']);
    for (const c of Object.values(test)) {
      expect(c.State).toBe('running');
      expect(c.Labels).toMatchObject({ [LABEL.project]: g.project, [LABEL.env]: 'test', [LABEL.release]: `build-${build.id}` });
    }
    const port = test.billing.Ports.find((p) => p.PrivatePort === 8080)!;
    expect(port.IP).toBe('127.0.0.1');
    expect((await getJson(`http://127.0.0.1:${port.PublicPort}/health`)).body).toMatchObject({ status: 'ok', commit: sha, env: 'test' });
    const net = await docker.api.getNetwork(`${g.project}-test`).inspect();
    expect(net.Labels).toMatchObject({ [LABEL.project]: g.project, [LABEL.env]: 'test' });
    expect(Object.keys(await envContainers(g.project, 'production'))).toEqual([]);
    expect(await g.origin.remoteTags()).toEqual([]);

    // recorded in the SQLite file as it happened: stages with times, log lines per stage
    const store = openStore(g.dataDir);
    const stored = store.builds.get(build.id)!;
    expect(stored.stages.map((s) => [s.name, s.status])).toEqual([
      ['checkout', 'success'],
      ['config', 'success'],
      ['build', 'success'],
      ['deploy-test', 'success'],
      ['test', 'success'],
    ]);
    for (const s of stored.stages) expect(s.finishedAt! >= s.startedAt!).toBe(true);
    const logs = store.builds.logs(build.id);
    expect(logs.some((l) => l.stage === 'build' && /Successfully built|writing image|---> /.test(l.line))).toBe(true);
    expect(logs.filter((l) => l.stage === 'test' && /^ok - /.test(l.line)).length).toBeGreaterThanOrEqual(5);
    expect(store.releases.deployments(g.project, 'test', 1)[0]).toMatchObject({ buildId: build.id, status: 'success', kind: 'deploy' });
    store.close();
  });

  it('an app that crashes on start fails deploy-test with its own last words; tests never run', async () => {
    await g.origin.commitVariant('crash-on-start', 'fix: vat');
    await g.origin.push('feature/123');
    const build = await g.engine.run({ project: g.project, branch: 'feature/123' });

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(
      /^deploy-test: app billing exited \(code 1\) before it became healthy; last output:\n.*VAT_RATE is required/s,
    );
    expect(build.stages.find((s) => s.name === 'test')!.status).toBe('skipped');
    await g.origin.revertVariant('crash-on-start', 'revert');
  });

  it('an app that never becomes healthy fails deploy-test after its health timeout, saying what it last answered', async () => {
    await g.origin.commitVariant('never-healthy', 'fix: health');
    await g.origin.push('feature/123');
    const build = await g.engine.run({ project: g.project, branch: 'feature/123' });

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(
      /^deploy-test: app billing did not answer 200 on http:\/\/127\.0\.0\.1:\d+\/health within 8 s \(last: 503 .*healthz/,
    );
    await g.origin.revertVariant('never-healthy', 'revert');
  });

  it('a broken greenci.yml fails the config stage naming each path; nothing is built', async () => {
    await g.origin.commitVariant('broken-config', 'chore: config');
    await g.origin.push('feature/123');
    const build = await g.engine.run({ project: g.project, branch: 'feature/123' });

    expect(build.status).toBe('failed');
    expect(build.reason).toBe(
      'config: greenci.yml is invalid: apps.weight.build: Required; apps.billing.port: expected number, received string',
    );
    expect(build.stages.map((s) => s.status)).toEqual(['success', 'failed', 'skipped', 'skipped', 'skipped']);
    expect(
      g.engine
        .logs(build.id)
        .filter((l) => l.stream === 'stderr')
        .map((l) => l.line),
    ).toEqual(['greenci.yml: apps.weight.build: Required', 'greenci.yml: apps.billing.port: expected number, received string']);
    await g.origin.revertVariant('broken-config', 'revert');
  });

  it('a Dockerfile error fails the build stage with the error in the log', async () => {
    writeFileSync(path.join(g.origin.work, 'weight', 'Dockerfile'), 'FROM greenci/node:20-local\nCOPY no-such-file.js /app/\n');
    await g.origin.commitAll('chore: break the weight Dockerfile');
    await g.origin.push('feature/123');
    const build = await g.engine.run({ project: g.project, branch: 'feature/123' });

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(/^build: building weight failed: .*no-such-file\.js/);
    expect(g.engine.logs(build.id).some((l) => l.stage === 'build' && /^ERROR: .*no-such-file\.js/.test(l.line))).toBe(true);
  });

  it('a base image that is not on this host fails at once instead of pulling', async () => {
    mkdirSync(path.join(g.origin.work, 'weight'), { recursive: true });
    writeFileSync(path.join(g.origin.work, 'weight', 'Dockerfile'), 'FROM registry.invalid/nothing:1\nCMD ["x"]\n');
    await g.origin.commitAll('chore: a base image from a registry');
    await g.origin.push('feature/123');
    const started = Date.now();
    const build = await g.engine.run({ project: g.project, branch: 'feature/123' });

    expect(build.status).toBe('failed');
    expect(build.reason).toBe(
      'build: weight: base image registry.invalid/nothing:1 is not on this host, and greenci never pulls (build or load it locally first)',
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('a build context that leads outside the repository through a symlink is refused before anything is built', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'greenci-outside-'));
    writeFileSync(path.join(outside, 'Dockerfile'), 'FROM greenci/node:20-local\nCOPY . /stolen\n');
    symlinkSync(outside, path.join(g.origin.work, 'weight-link'));
    writeFileSync(
      path.join(g.origin.work, 'greenci.yml'),
      readFileSync(path.join(g.origin.work, 'greenci.yml'), 'utf8').replace('build: weight ', 'build: weight-link '),
    );
    await g.origin.commitAll('chore: a symlinked build context');
    await g.origin.push('feature/123');
    const build = await g.engine.run({ project: g.project, branch: 'feature/123' });

    expect(build.status).toBe('failed');
    expect(build.reason).toBe('build: weight: build context "weight-link" leads outside the repository (through a symlink)');
    expect(await docker.imageId(`${g.project}-weight:feature-123-test`)).toBeDefined(); // the earlier good build's image, not a new one
    rmSync(outside, { recursive: true, force: true });
  });

  it('a commit that is not on the branch asked for is refused at checkout', async () => {
    await g.origin.checkout('master');
    const masterSha = await g.origin.commitAll('chore: only on master');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'feature/123', sha: masterSha });

    expect(build.status).toBe('failed');
    expect(build.reason).toBe(`checkout: commit ${masterSha.slice(0, 12)} is not on branch "feature/123"`);
  });

  it('a first release that never becomes healthy in production never takes a request: its apps are removed, no release is live', async () => {
    await g.origin.commitVariant('prod-unhealthy', 'feat: currencies');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master' });

    expect(build.status).toBe('failed');
    expect(build.reason).toMatch(
      /^deploy-production: v0\.1\.0 was not released \(app billing v0\.1\.0 did not answer 200 .*BILLING_CURRENCY.*; it never took a request\); production has no release$/,
    );
    const prod = await envContainers(g.project, 'production');
    expect(Object.keys(prod).sort()).toEqual(['billing-db', 'weight-db']);
    expect(g.engine.releases(g.project)).toEqual({ releases: [], live: undefined });
    expect(g.store.releases.deployments(g.project, 'production', 2).map((d) => [d.kind, d.status])).toEqual([['promote', 'failed']]);
    expect(g.engine.getSnapshot().live[g.project]).toBeUndefined();
    expect(await g.origin.remoteTags()).toEqual([]);
  });
});
