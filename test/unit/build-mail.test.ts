import { describe, expect, it } from 'vitest';
import type { BuildRecord, LogLine } from '../../engine/model.js';
import { buildMail, buildRecipients, testAddresses } from '../../engine/notify/build-mail.js';

const build = (o: Partial<BuildRecord> = {}): BuildRecord => ({
  id: 12,
  project: 'green',
  branch: 'feature-x',
  refSlug: 'feature-x',
  trigger: 'push',
  status: 'failed',
  createdAt: 0,
  startedAt: 1000,
  finishedAt: 9000,
  sha: 'abcdef1234567890',
  commitSubject: 'fix: totals',
  commitAuthor: 'Dev Eloper <dev@green.example>',
  reason: 'test: 1 failing',
  stages: [
    { name: 'checkout', title: 'checkout', status: 'success', startedAt: 1000, finishedAt: 1300 },
    { name: 'test', title: 'test', status: 'failed', startedAt: 1300, finishedAt: 9000, error: '1 failing' },
    { name: 'promote', title: 'promote', status: 'skipped' },
  ],
  ...o,
});
const line = (stage: string, text: string, id = 1): LogLine => ({ id, buildId: 12, stage, ts: 0, stream: 'stdout', line: text });

describe('build emails', () => {
  it('go to the pusher, else the push head commit author, else the commit author in git; never to a GitHub noreply address', () => {
    expect(buildRecipients(build({ push: { pusherEmail: 'dana@example.com', headAuthorEmail: 'x@example.com' } }), 'master', [])).toEqual([
      'dana@example.com',
    ]);
    expect(buildRecipients(build({ push: { headAuthorEmail: 'x@example.com' } }), 'master', [])).toEqual(['x@example.com']);
    expect(buildRecipients(build({ trigger: 'manual' }), 'master', [])).toEqual(['dev@green.example']);
    expect(
      buildRecipients(
        build({ push: { pusherEmail: '1+dana@users.noreply.github.com' }, commitAuthor: 'Dana <1+dana@users.noreply.github.com>' }),
        'master',
        [],
      ),
    ).toEqual([]);
    expect(
      buildRecipients(
        build({ push: { pusherEmail: '1+dana@users.noreply.github.com', headAuthorEmail: 'dana@example.com' } }),
        'master',
        [],
      ),
    ).toEqual(['dana@example.com']);
    expect(buildRecipients(build({ branch: 'master' }), 'master', ['lead@example.com'])).toEqual(['lead@example.com']);
  });

  it('a failed feature build: the stage it failed at in the subject, the failing tail and the test environment in the body', () => {
    const logs = [
      line('deploy-test', 'app billing: healthy after 1.2 s (http://127.0.0.1:32770/health)', 1),
      line('test', 'expected 625, got 6.25', 2),
    ];
    const testEndpoints = { billing: 'http://127.0.0.1:32770/health' };
    const m = buildMail({ build: build(), productionBranch: 'master', lead: [], logs, testEndpoints })!;
    expect(m.subject).toBe('✖ green feature-x #12 failed at test');
    expect(m.text).toMatch(/^test environment:\s+billing http:\/\/127\.0\.0\.1:32770$/m);
    expect(m.text).toContain('last 1 line of test:\n    expected 625, got 6.25');
    expect(testAddresses(testEndpoints)).toEqual([['billing', 'http://127.0.0.1:32770']]);
    // the address comes from the recorded endpoints, not from reading log sentences
    expect(buildMail({ build: build(), productionBranch: 'master', lead: [], logs })!.text).not.toMatch(/^test environment:/m);
  });

  it('an automatic rollback is told by the outcome the build carries, never by the words of its reason', () => {
    const failed = build({
      branch: 'master',
      version: 'v0.3.0',
      stages: [{ name: 'deploy-production', title: 'deploy-production', status: 'failed' }],
    });
    const live = { id: 1, project: 'green', version: 'v0.2.0', sha: 'abc', images: {}, tagPushed: true, createdAt: 0 };
    const rolledBack = buildMail({
      build: { ...failed, reason: 'deploy-production: v0.3.0 failed in production; rolled back to v0.2.0', outcome: 'rolled-back' },
      productionBranch: 'master',
      lead: ['lead@example.com'],
      logs: [],
      live,
    })!;
    expect(rolledBack.subject).toBe('✖ green master v0.3.0 rolled back to v0.2.0');
    // a test whose output happens to say "rolled back" is a failed test, not a rollback
    const words = buildMail({
      build: { ...failed, reason: 'test: expected the order to be rolled back' },
      productionBranch: 'master',
      lead: ['lead@example.com'],
      logs: [],
      live,
    })!;
    expect(words.subject).toBe('✖ green master #12 failed at deploy-production: not released');
  });

  it('a release whose tag could not be pushed is announced released, saying so', () => {
    const released = build({
      branch: 'master',
      status: 'success',
      version: 'v0.3.0',
      reason: 'its git tag could not be pushed (refused); greenci pushes it again on its own',
      stages: [],
    });
    const m = buildMail({ build: released, productionBranch: 'master', lead: ['lead@example.com'], logs: [] })!;
    expect(m.subject).toBe('✔ green master v0.3.0 released');
    expect(m.text).toMatch(
      /^result:\s+released v0\.3\.0 to production; its git tag could not be pushed \(refused\); greenci pushes it again on its own$/m,
    );
  });
});

describe('a build email and its preview', () => {
  it('a branch build that put up a preview gives its addresses and how long it stays', () => {
    const m = buildMail({
      build: build(),
      productionBranch: 'master',
      lead: [],
      logs: [],
      previewEndpoints: { billing: 'http://127.0.0.1:20100/health', weight: 'http://127.0.0.1:20101/health' },
    })!;
    expect(m.text).toMatch(
      /^preview:\s+billing http:\/\/127\.0\.0\.1:20100, weight http:\/\/127\.0\.0\.1:20101 \(until \S+ is deleted or its pull request closed\)$/m,
    );
    expect(buildMail({ build: build(), productionBranch: 'master', lead: [], logs: [] })!.text).not.toMatch(/^preview:/m);
  });

  it('names the open pull requests whose head the build tested', () => {
    const m = buildMail({
      build: build(),
      productionBranch: 'master',
      lead: [],
      logs: [],
      pullRequests: [{ number: 7, title: 'Weigh twice\nmore words' }],
    })!;
    expect(m.text).toMatch(/^pull request:\s+#7 Weigh twice$/m);
    expect(m.html).toContain('#7 Weigh twice');
  });
});
