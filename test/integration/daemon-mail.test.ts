import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { deliver, pushPayload } from '../helpers/github.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

/** The emails that close each flow, from the daemon through a real SMTP server on loopback. */
describe('greenci daemon: build, release and rollback emails', () => {
  let sink: SmtpSink;
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  const mailTo = (addr: string, subject: RegExp) =>
    waitUntil(
      () => sink.messages.find((m) => m.envelopeTo.includes(addr) && subject.test(m.subject ?? '')),
      `an email to ${addr} with subject ${subject}; have: ${sink.messages.map((m) => `${m.envelopeTo} ${m.subject}`).join(' | ')}`,
      150_000,
    );
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => greenciDone([...args, '--config', g.configFile], { ...g.env, ...env });

  beforeAll(async () => {
    sink = await SmtpSink.start();
    g = await setupGreen({
      healthTimeout: '10s',
      noEngine: true,
      extra: ['reconcile:', '  schedule: "0 0 1 1 *"', ...sink.configLines({ lead: ['lead@example.com'], ops: ['ops@example.com'] })].join(
        '\n',
      ),
    });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
    await sink?.down();
  });

  it('a feature push: the pusher gets the result with stages, the failing output and the test environment', async () => {
    await g.origin.checkoutNewBranch('feature-mail');
    const sha = await g.origin.commitVariant('break-test', 'fix: totals (breaks a test)');
    await g.origin.push('feature-mail');
    const push = pushPayload({ repo: g.github, branch: 'feature-mail', after: sha, message: 'fix: totals (breaks a test)' });
    push.pusher = { name: 'dana', email: 'dana@example.com' };
    expect((await deliver(d.webhookUrl, push, { secret: g.secret })).status).toBe(202);

    const m = await mailTo('dana@example.com', new RegExp(`^✖ ${g.project} feature-mail #\\d+ failed at test$`));
    expect(m.envelopeTo).toEqual(['dana@example.com']);
    expect(m.text).toMatch(/^branch:\s+feature-mail$/m);
    expect(m.text).toMatch(new RegExp(`^commit:\\s+${sha.slice(0, 12)} fix: totals \\(breaks a test\\)$`, 'm'));
    expect(m.text).toMatch(/^pushed by:\s+dana$/m);
    expect(m.text).toMatch(/success\s+build\s+\d+\.\ds/);
    expect(m.text).toMatch(/failed\s+test\s+\d+\.\ds/);
    expect(m.text).toMatch(/last \d+ lines of test:/);
    expect(m.text).toMatch(/^test environment:\s+(?=.*\bbilling http:\/\/127\.0\.0\.1:\d+)(?=.*\bweight http:\/\/127\.0\.0\.1:\d+)/m);
    expect(m.html).toContain('<h3>stages</h3>');
    expect(m.html).not.toMatch(/<script/i);
    // one event, one email
    expect(store.outbox.list().filter((x) => x.to.includes('dana@example.com'))).toHaveLength(1);
  });

  it('the production branch: the lead list gets the release; a manual rollback names who did it; no secret in any email', async () => {
    await g.origin.checkout('master');
    const first = await cli(['trigger', g.project, '--branch', 'master', '--json'], { USER: 'olivia' });
    expect(first.code).toBe(0);
    await mailTo('lead@example.com', new RegExp(`^✔ ${g.project} master v0\\.1\\.0 released$`));
    const v2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    await cli(['trigger', g.project, '--branch', 'master', '--sha', v2], { USER: 'olivia' });
    const released = await mailTo('lead@example.com', new RegExp(`^✔ ${g.project} master v0\\.2\\.0 released$`));
    expect(released.text).toMatch(/^result:\s+released v0\.2\.0 to production$/m);

    expect((await cli(['rollback', g.project, '--to', 'v0.1.0'], { SUDO_USER: 'rita' })).code).toBe(0);
    const rb = await mailTo('lead@example.com', new RegExp(`^↩ ${g.project} production rolled back to v0\\.1\\.0 by rita$`));
    expect(rb.text).toMatch(/^from:\s+v0\.2\.0$/m);
    expect(rb.text).toMatch(/^by:\s+rita$/m);
    for (const m of sink.messages) {
      expect(m.text ?? '').not.toContain(g.secret);
      expect(String(m.html ?? '')).not.toContain(g.secret);
    }
    expect(sink.messages.filter((m) => m.envelopeTo.includes('ops@example.com'))).toHaveLength(0);
  });

  it('the production branch not released: why not (a release never healthy, a failing test)', async () => {
    // rita's rollback held production: lifted, the next good build would be released
    await cli(['release', g.project, '--lift'], { USER: 'olivia' });
    const unhealthy = await g.origin.commitVariant('prod-unhealthy', 'feat: bills carry a currency');
    await g.origin.push('master');
    await cli(['trigger', g.project, '--branch', 'master', '--sha', unhealthy], { USER: 'olivia' });
    const never = await mailTo('lead@example.com', new RegExp(`^✖ ${g.project} master #\\d+ failed at deploy-production: not released$`));
    expect(never.envelopeTo).toEqual(['lead@example.com']);
    expect(never.text).toMatch(/^result:\s+failed: .*it never took a request.*production kept serving v0\.1\.0/m);
    expect(never.text).toMatch(/BILLING_CURRENCY is required in production/);

    await g.origin.revertVariant('prod-unhealthy', 'revert: bills carry a currency');
    const broken = await g.origin.commitVariant('break-test', 'fix: totals (breaks a test)');
    await g.origin.push('master');
    await cli(['trigger', g.project, '--branch', 'master', '--sha', broken], { USER: 'olivia' });
    const notReleased = await mailTo('lead@example.com', new RegExp(`^✖ ${g.project} master #\\d+ failed at test: not released$`));
    expect(notReleased.text).toMatch(/^production:\s+runs v0\.1\.0$/m);
    expect(notReleased.text).toMatch(/last \d+ lines of test:/);
  });
});
