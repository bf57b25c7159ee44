import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import type { GreenciConfig } from '../../config/schema.js';
import type { HealthRecord } from '../../engine/model.js';
import { initialHealth } from '../../engine/monitor/health-state.js';
import { secretValues } from '../../engine/notify/mail-service.js';
import { Notifier } from '../../engine/notify/notifier.js';
import { openStore, type Store } from '../../engine/store/index.js';

const config = (ops: string[]): GreenciConfig =>
  parseConfig(
    [
      'smtp:',
      '  host: 127.0.0.1',
      '  from: greenci@example.com',
      '  passwordEnv: SMTP_PW',
      'notify:',
      `  ops: [${ops.join(', ')}]`,
      'projects:',
      '  green:',
      '    repo: /x.git',
      '    webhookSecretEnv: HOOK',
      '',
    ].join('\n'),
    '/tmp',
  ).config!;

const record = (key: string): HealthRecord => ({
  ...initialHealth(0),
  key,
  kind: 'app',
  project: 'green',
  env: 'production',
  service: 'billing',
  title: 'green prod billing',
  alerted: true,
  healAttempts: 0,
  checkedAt: 0,
});

/** Alert emails in a real SQLite store: each alert mailed once, none lost when nobody could be told yet, no secret in them. */
describe('notifier: health alerts', () => {
  let store: Store;
  afterEach(() => store?.close());

  it('one email per round carries every alert not mailed yet, once; the secrets the config names are masked', () => {
    store = openStore(':memory:');
    const env = { SMTP_PW: 'smtp-pass-123', HOOK: 'hook-secret-456' };
    let cfg = config([]);
    const queued: string[] = [];
    const n = new Notifier(
      store,
      () => cfg,
      (m) => queued.push(m.subject),
      'example.com',
      'ci-1',
      () => secretValues(cfg, env),
    );
    const now = Date.now();
    store.health.transition(record('green/production/billing'), {
      from: 'degraded',
      to: 'down',
      detail: 'exited (code 1)',
      alert: true,
      output: ['boot with HOOK=hook-secret-456', 'Error: db down'],
      at: now,
    });
    // nobody to tell yet: nothing is made, nothing marked
    n.handle({ type: 'health.alerts', alerts: [] });
    expect(store.outbox.list()).toHaveLength(0);
    expect(store.health.unmailedAlerts(0)).toHaveLength(1);

    cfg = config(['ops@example.com']);
    store.health.transition(record('green/production/weight'), { from: 'down', to: 'healthy', alert: true, at: now + 1 });
    n.handle({ type: 'health.alerts', alerts: [] });
    const [mail] = store.outbox.list();
    expect(mail.subject).toBe('✖ green prod billing down; green prod billing recovered');
    expect(mail.text).toContain('boot with HOOK=********');
    expect(mail.text + mail.html).not.toContain('hook-secret-456');
    expect(store.health.unmailedAlerts(0)).toHaveLength(0);
    expect(store.health.transitions().every((t) => t.mailed)).toBe(true);
    // the same event again: no second email
    n.handle({ type: 'health.alerts', alerts: [] });
    expect(store.outbox.list()).toHaveLength(1);
    expect(queued).toEqual([mail.subject]);
    expect(secretValues(cfg, env).sort()).toEqual(['hook-secret-456', 'smtp-pass-123']);
  });
});
