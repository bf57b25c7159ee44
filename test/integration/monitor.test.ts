import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthTransitionRecord } from '../../engine/model.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker, envContainers, freePort } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

const INTERVAL_S = 6;
const TIMEOUT_MS = 1000;
const FLAP_WINDOW_S = 300;
const FLAP_LIMIT = 5;

/**
 * The monitoring service in a real daemon against real containers: a killed production container
 * is alerted within one check interval and its recovery announced, flapping is damped to one
 * alert but a down that lasts through it is still emailed, a stuck build is detected, the test
 * environment heals itself, and alerts pending while SMTP is down survive a daemon restart and
 * arrive exactly once.
 */
describe('greenci daemon: health monitoring and alerts', () => {
  let sink: SmtpSink;
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  const ops = (subject: RegExp) => sink.messages.filter((m) => m.envelopeTo.includes('ops@example.com') && subject.test(m.subject ?? ''));
  const opsMail = (subject: RegExp, timeout = 60_000) =>
    waitUntil(
      () => ops(subject)[0],
      `an ops email with subject ${subject}; have: ${sink.messages.map((m) => `${m.envelopeTo} ${m.subject}`).join(' | ')}`,
      timeout,
    );
  const key = (env: string, service: string) => `${g.project}/${env}/${service}`;
  const state = (k: string) => store.health.get(k)?.state;
  const stateIs = (k: string, s: string, timeout = 60_000) => waitUntil(() => state(k) === s, `${k} ${s} (is ${state(k)})`, timeout);
  const container = async (env: 'test' | 'production', service: string) => (await envContainers(g.project, env))[service].Id;
  const lastTransition = (k: string, to: string, after = 0): HealthTransitionRecord | undefined =>
    store.health.transitions({ key: k }).find((t) => t.to === to && t.id > after);

  beforeAll(async () => {
    sink = await SmtpSink.start();
    g = await setupGreen({
      healthTimeout: '20s',
      noEngine: true,
      extra: [
        'reconcile:',
        '  schedule: "0 0 1 1 *"',
        ...sink.configLines({ lead: ['lead@example.com'], ops: ['ops@example.com'] }),
        'monitor:',
        `  schedule: "*/${INTERVAL_S} * * * * *"`,
        `  timeout: ${TIMEOUT_MS}ms`,
        '  stuckAfter: 2s',
        // while flapping, a down lasting flap.window / flap.limit (60 s) is emailed all the same
        '  flap:',
        `    limit: ${FLAP_LIMIT}`,
        `    window: ${FLAP_WINDOW_S}s`,
        '  heal:',
        '    test: true',
        '    production: false',
        '    maxRestarts: 3',
        '    wait: 5s',
      ].join('\n'),
    });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    if (process.env.GREENCI_DEBUG_LOGS) for (const l of d?.logs ?? []) console.log(JSON.stringify(l));
    await d?.stop();
    store?.close();
    await g?.cleanup();
    await sink?.down();
  });

  it('a build running longer than monitor.stuckAfter is reported stuck to ops, and its end too', async () => {
    const r = await greenciDone(['trigger', g.project, '--branch', 'master', '--json', '--config', g.configFile], g.env);
    expect(r.code).toBe(0);
    const id = (JSON.parse(r.stdout) as { id: number }).id;
    const stuck = await opsMail(new RegExp(`✖ .*greenci build #${id} \\(${g.project} master\\) stuck`));
    expect(stuck.text).toMatch(
      new RegExp(
        `greenci build #${id} \\(${g.project} master\\):\\s+stuck at .*: build #${id} \\(${g.project} master\\) running for \\d+ s, in stage \\w`,
      ),
    );
    await waitUntil(() => store.builds.get(id)?.status === 'success' && store.builds.get(id), 'the release build to succeed', 150_000);
    await opsMail(new RegExp(`✔ .*greenci build #${id} \\(${g.project} master\\) no longer stuck`));
    // the finished build is no longer checked
    await waitUntil(() => !store.health.get(`greenci/build-${id}`), 'the finished build forgotten by the monitor');
  });

  it('a production container killed: alerted within one check interval, and its recovery announced', async () => {
    for (const s of ['billing', 'weight', 'billing-db', 'weight-db']) await stateIs(key('production', s), 'healthy');
    const before = store.health.transitions({ limit: 1 })[0]?.id ?? 0;
    const id = await container('production', 'billing');
    const killedAt = Date.now();
    await docker.api.getContainer(id).kill();

    const down = await waitUntil(() => lastTransition(key('production', 'billing'), 'down', before), 'billing down in SQLite', 30_000);
    expect(down.alert).toBe(true);
    expect(down.detail).toMatch(/exited \(code 137\)/);
    // within one interval: the die event checks at once (degraded), a second look 3 s later confirms it (down)
    const degraded = lastTransition(key('production', 'billing'), 'degraded', before)!;
    console.log(
      `monitor: kill → degraded stored ${degraded.at - killedAt} ms, kill → down alert stored ${down.at - killedAt} ms (schedule every ${INTERVAL_S} s)`,
    );
    expect(down.at - killedAt).toBeLessThan(INTERVAL_S * 1000 + TIMEOUT_MS);

    const mail = await opsMail(new RegExp(`^✖ ${g.project} prod billing down$`));
    expect(mail.envelopeTo).toEqual(['ops@example.com']);
    expect(mail.text).toMatch(
      new RegExp(`^${g.project} prod billing:\\s+down at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC: exited \\(code 137\\)`, 'm'),
    );
    expect(mail.html).toContain('exited (code 137)');
    // what the container printed last, for ops to read first
    expect(mail.text).toMatch(new RegExp(`last output of ${g.project} prod billing:\\n    \\S`));

    // the daemon's snapshot (what the console shows) has it down too
    const status = await greenciDone(['status', '--json', '--config', g.configFile], g.env);
    expect(JSON.parse(status.stdout).health[key('production', 'billing')]).toMatchObject({
      state: 'down',
      title: `${g.project} prod billing`,
    });
    const text = await greenciDone(['status', '--config', g.configFile], g.env);
    expect(text.stdout).toMatch(new RegExp(`^health: 1 down: ${g.project} prod billing down \\(greenci health\\)$`, 'm'));
    const health = await greenciDone(['health', '--config', g.configFile], g.env);
    expect(health.code).toBe(0);
    // worst first, with why; then the changes, newest first, marking what ops were told
    expect(health.stdout.split('\n')[1]).toMatch(new RegExp(`^${g.project} prod billing\\s+down\\s+.*exited \\(code 137\\)$`));
    expect(health.stdout).toMatch(new RegExp(`${g.project} prod billing  degraded → down: exited \\(code 137\\)  \\[alert mailed\\]`));

    await docker.api.getContainer(id).start();
    const up = await opsMail(new RegExp(`^✔ ${g.project} prod billing recovered$`));
    expect(up.text).toMatch(/recovered at /);
    expect(ops(new RegExp(`${g.project} prod billing down`))).toHaveLength(1);
    // production was not healed behind anyone's back: healing is off there
    expect(store.audit.list(g.project).filter((a) => a.action === 'heal' && a.target?.startsWith('production'))).toHaveLength(0);
  });

  it('flapping is damped: one alert says so, then quiet', async () => {
    const k = key('production', 'billing');
    const id = await container('production', 'billing');
    const cycle = async () => {
      await docker.api.getContainer(id).kill();
      await stateIs(k, 'down', 30_000);
      await docker.api.getContainer(id).start();
      await stateIs(k, 'healthy', 30_000);
    };
    // down/up until more than flap.limit (5) changes fall in the window
    for (let i = 0; i < 4 && !store.health.get(k)?.flapping; i++) await cycle();
    const flapping = await opsMail(new RegExp(`^⚠ ${g.project} prod billing flapping$`));
    expect(flapping.text).toMatch(/flapping: \d+ changes within 5 min; alerts paused until it settles/);
    // after it in the order the SMTP server took them (a Date header has whole seconds: a recovery
    // sent just before the flapping notice can carry the same second)
    const mailsAfterFlapping = () =>
      sink.messages
        .slice(sink.messages.indexOf(flapping) + 1)
        .filter((m) => m.envelopeTo.includes('ops@example.com') && new RegExp(`${g.project} prod billing`).test(m.subject ?? ''));
    // two more full cycles while flapping: state changes are stored, nobody is emailed
    const changesBefore = store.health.transitions({ key: k }).length;
    await cycle();
    await cycle();
    expect(store.health.transitions({ key: k }).length).toBeGreaterThanOrEqual(changesBefore + 4);
    expect(store.health.get(k)?.flapping).toBe(true);
    expect(mailsAfterFlapping()).toEqual([]);
    expect(ops(new RegExp(`^⚠ ${g.project} prod billing flapping$`))).toHaveLength(1);
  });

  it('while flapping, a down that lasts is no blip: emailed once, and its recovery too', async () => {
    const k = key('production', 'billing');
    const lastingMs = (FLAP_WINDOW_S * 1000) / FLAP_LIMIT;
    await stateIs(k, 'healthy', 30_000);
    expect(store.health.get(k)?.flapping).toBe(true);
    const seen = sink.messages.length;
    const billingMails = () =>
      sink.messages
        .slice(seen)
        .filter((m) => m.envelopeTo.includes('ops@example.com') && new RegExp(`${g.project} prod billing`).test(m.subject ?? ''));
    const before = store.health.transitions({ limit: 1 })[0]?.id ?? 0;
    const id = await container('production', 'billing');
    await docker.api.getContainer(id).kill();
    await stateIs(k, 'down', 30_000);
    const downSince = store.health.get(k)!.since;

    // told once it has lasted flap.window / flap.limit, within a check interval of that
    const told = await waitUntil(
      () => store.health.transitions({ key: k }).find((t) => t.id > before && t.alert && t.to === 'down'),
      'the lasting down alerted',
      lastingMs + 60_000,
    );
    expect(told.note).toMatch(/^down for \d+m\d\ds while flapping; not a blip$/);
    expect(told.at - downSince).toBeGreaterThanOrEqual(lastingMs);
    expect(told.at - downSince).toBeLessThan(lastingMs + INTERVAL_S * 1000 + 5000);
    const down = await waitUntil(() => billingMails()[0], 'the lasting down emailed', 30_000);
    expect(down.subject).toBe(`✖ ${g.project} prod billing down`);
    expect(down.text).toMatch(/down at .*: exited \(code 137\) \(down for \d+m\d\ds while flapping; not a blip\)/);
    expect(down.text).toMatch(new RegExp(`last output of ${g.project} prod billing:\\n    \\S`));

    // two more checks while it stays down: nothing more is sent
    await waitUntil(
      () => store.health.get(k)!.checkedAt >= told.at + 2 * INTERVAL_S * 1000 || undefined,
      'two more checks of the down container',
      30_000,
    );
    expect(store.health.get(k)).toMatchObject({ state: 'down', flapping: true, alerted: true });
    await docker.api.getContainer(id).start();
    const up = await waitUntil(
      () => billingMails().find((m) => m.subject === `✔ ${g.project} prod billing recovered`),
      'the recovery emailed',
      60_000,
    );
    expect(up.text).toMatch(/recovered at .*\(still flapping\)/);
    expect(billingMails().map((m) => m.subject)).toEqual([`✖ ${g.project} prod billing down`, `✔ ${g.project} prod billing recovered`]);
  });

  it('self-healing in the test environment: a down container is restarted and nobody is paged', async () => {
    const k = key('test', 'weight');
    await stateIs(k, 'healthy');
    const id = await container('test', 'weight');
    await docker.api.getContainer(id).kill();
    await waitUntil(
      () =>
        store.audit.list(g.project).find((a) => a.action === 'heal' && a.target === 'test weight' && a.outcome?.startsWith('restarted')),
      'a heal recorded in the audit log',
      30_000,
    );
    await stateIs(k, 'healthy', 30_000);
    expect((await docker.api.getContainer(id).inspect()).State.Running).toBe(true);
    expect(ops(/test weight/).map((m) => `${m.subject}\n${m.text}`)).toEqual([]);
    expect(store.health.transitions({ key: k }).map((t) => t.to)).toContain('down');
  });

  it('alerts raised while SMTP is down survive a daemon restart and arrive exactly once', async () => {
    await sink.down();
    const k = key('production', 'weight');
    const before = store.health.transitions({ limit: 1 })[0]?.id ?? 0;
    const id = await container('production', 'weight');
    await docker.api.getContainer(id).kill();
    await waitUntil(() => lastTransition(k, 'down', before), 'weight down', 30_000);
    const pending = await waitUntil(
      () => store.outbox.list().find((m) => m.subject === `✖ ${g.project} prod weight down` && m.status === 'pending' && m.attempts > 0),
      'the alert pending after a failed attempt',
      30_000,
    );
    expect(pending.lastError).toMatch(/ECONNREFUSED|connect/i);

    expect(await d.stop('SIGTERM')).toBe(0);
    await sink.up();
    await docker.api.getContainer(id).start();
    d = await startDaemon(g.configFile, g.env);

    await opsMail(new RegExp(`^✖ ${g.project} prod weight down$`));
    await opsMail(new RegExp(`^✔ ${g.project} prod weight recovered$`));
    await waitUntil(() => store.outbox.list().every((m) => m.status === 'sent') || undefined, 'the outbox empty', 30_000);
    expect(ops(new RegExp(`^✖ ${g.project} prod weight down$`))).toHaveLength(1);
    expect(store.outbox.get(pending.id)?.status).toBe('sent');
    for (const m of sink.messages) expect(m.text ?? '').not.toContain(g.secret);
  });
});

/** greenci's own checks (Docker, webhook, smee), and its journal staying NDJSON when a tick is missed. */
describe("greenci daemon: greenci's own checks", () => {
  let sink: SmtpSink;
  let g: GreenSetup;
  let d: DaemonRun;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    const closed = await freePort();
    g = await setupGreen({
      noEngine: true,
      extra: [
        'docker:',
        `  socket: /tmp/greenci-no-docker-${process.pid}.sock`,
        'reconcile:',
        '  schedule: "0 0 1 1 *"',
        ...sink.configLines({ ops: ['ops@example.com'] }),
        'monitor:',
        '  schedule: "* * * * * *"',
        '  timeout: 500ms',
      ].join('\n'),
      projectExtra: `    smee: http://127.0.0.1:${closed}/no-channel`,
    });
    d = await startDaemon(g.configFile, g.env);
  });
  afterAll(async () => {
    await d?.stop();
    await g?.cleanup();
    await sink?.down();
  });

  it('a Docker engine that cannot be reached and a smee relay that cannot connect are alerted; the webhook endpoint answering is healthy', async () => {
    const subjects = () => sink.messages.map((m) => m.subject ?? '');
    await waitUntil(
      () => subjects().some((s) => /greenci docker engine\b.* down/.test(s)),
      `a docker alert; have ${subjects().join(' | ')}`,
      30_000,
    );
    await waitUntil(
      () => subjects().some((s) => new RegExp(`greenci smee relay of ${g.project}\\b.* down`).test(s)),
      `a smee alert; have ${subjects().join(' | ')}`,
      60_000,
    );
    const docker = sink.messages.find((m) => /greenci docker engine/.test(m.subject ?? ''))!;
    expect(docker.envelopeTo).toEqual(['ops@example.com']);
    expect(docker.text).toMatch(/greenci docker engine:\s+down at .*: .*(ENOENT|npm run host)/);
    const health = JSON.parse((await greenciDone(['health', '--json', '--config', g.configFile], g.env)).stdout) as {
      mode: string;
      health: { key: string; state: string }[];
    };
    expect(health.mode).toBe('daemon');
    const byKey = Object.fromEntries(health.health.map((h) => [h.key, h.state]));
    expect(byKey).toMatchObject({ 'greenci/docker': 'down', 'greenci/webhook': 'healthy', [`greenci/smee/${g.project}`]: 'down' });
    // with Docker unreachable, nothing is claimed about the environments
    expect(Object.keys(byKey).filter((k) => k.startsWith(`${g.project}/`))).toEqual([]);
  });

  it('a daemon paused past its ticks keeps its journal NDJSON: the missed monitor runs are one structured warning each', async () => {
    // the monitor here runs every second: a pause of 2.5 s (the event under test, not a wait) makes node-cron miss runs
    process.kill(d.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500)).finally(() => process.kill(d.pid, 'SIGCONT'));
    const missed = await d.waitForLog((e) => e.cron === 'monitor' && typeof e.missed === 'string', 30_000);
    expect(missed).toMatchObject({
      level: 'warn',
      msg: expect.stringMatching(/^monitor: the run due at \S+ was skipped: the process was busy or paused past it$/),
    });
    // and the daemon carries on checking
    const rounds = d.logs.length;
    await waitUntil(() => d.logs.length > rounds || undefined, 'the daemon logging again', 30_000);
    expect(d.logs.filter((e) => e.level === 'unparsed').map((e) => e.msg)).toEqual([]);
    // under systemd stderr lands in the same journal: node-cron's coloured console lines are not there either
    expect(d.stderr()).not.toMatch(/NODE-CRON|\x1b\[/);
  });
});
