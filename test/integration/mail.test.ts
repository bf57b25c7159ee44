import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailer } from '../../engine/notify/mailer.js';
import { OutboxSender } from '../../engine/notify/outbox-sender.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { tempDir } from '../helpers/origin.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

/** Email through a real SMTP server on loopback: the test command, and the outbox across an outage and a restart. */
describe('email', () => {
  let sink: SmtpSink;
  let dir: string;
  let store: Store;
  const smtp = () => ({ host: '127.0.0.1', port: sink.port, secure: false, from: 'greenci@example.com' });

  beforeAll(async () => {
    sink = await SmtpSink.start();
    dir = tempDir('greenci-mail-');
    store = openStore(dir);
    writeFileSync(
      path.join(dir, 'greenci.config.yml'),
      [`dataDir: ${dir}`, ...sink.configLines(), 'projects:', '  green:', '    repo: /nowhere.git', ''].join('\n'),
    );
  });
  afterAll(async () => {
    store?.close();
    await sink?.down();
  });

  it('greenci mail test <address> sends one email and prints what the server answered; a server that is down gets a clear error', async () => {
    const before = sink.messages.length;
    const ok = await greenciDone(['mail', 'test', 'lead@example.com', '--config', path.join(dir, 'greenci.config.yml')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`sent to lead@example.com through 127\\.0\\.0\\.1:${sink.port}; the server answered: 250 OK: queued as sink-\\d+`),
    );
    await sink.waitForMessages(before + 1);
    const m = sink.messages.at(-1)!;
    expect(m.subject).toBe('greenci test email');
    expect(m.envelopeTo).toEqual(['lead@example.com']);
    expect(m.from?.text).toBe('greenci@example.com');
    expect(m.text).toContain('test email from greenci');
    expect(m.html).toContain('<b>greenci</b>');

    await sink.down();
    try {
      const down = await greenciDone(['mail', 'test', 'lead@example.com', '--config', path.join(dir, 'greenci.config.yml')]);
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('failed: nothing answers on the SMTP port (connection refused)');
      const bad = await greenciDone(['mail', 'test', 'not an address', '--config', path.join(dir, 'greenci.config.yml')]);
      expect(bad.code).toBe(2);
    } finally {
      await sink.up();
    }
  });

  it('the outbox: stored first, retried while SMTP is down, each email delivered exactly once when it is back, also after a restart', async () => {
    await sink.down();
    const start = sink.messages.length;
    const stored = [1, 2, 3].map(
      (i) => store.outbox.add({ kind: 'test', to: [`dev${i}@example.com`], subject: `outbox ${i}`, text: `body ${i}` }, 'greenci.test')!,
    );
    expect(
      store.outbox.add({ kind: 'test', to: ['x@example.com'], subject: 'once', text: '', dedupeKey: 'k1' }, 'greenci.test'),
    ).toBeDefined();
    expect(
      store.outbox.add({ kind: 'test', to: ['x@example.com'], subject: 'twice', text: '', dedupeKey: 'k1' }, 'greenci.test'),
    ).toBeUndefined();

    const failures: string[] = [];
    const sender = new OutboxSender(store.outbox, new Mailer(smtp(), {}, { timeoutMs: 2000 }), {
      failed: (_id, error) => failures.push(error),
    });
    sender.start();
    await waitUntil(() => failures.length >= 1, 'a failed attempt while SMTP is down', 10_000, 20);
    expect(failures[0]).toContain('connection refused');
    expect(store.outbox.get(stored[0].id)).toMatchObject({ status: 'pending', attempts: 1 });
    // "restart": this sender stops with mail pending; a new one takes over from the rows
    await sender.stop();

    await sink.up();
    const next = new OutboxSender(store.outbox, new Mailer(smtp(), {}));
    next.start();
    await sink.waitForMessages(start + 4, 20_000);
    await waitUntil(() => store.outbox.due(Date.now() + 3_600_000).length === 0, 'nothing pending', 10_000, 20);
    await next.stop();

    const got = sink.messages.slice(start);
    expect(got.map((m) => m.subject).sort()).toEqual(['once', 'outbox 1', 'outbox 2', 'outbox 3']);
    expect(got.find((m) => m.subject === 'outbox 2')?.messageId).toBe(stored[1].messageId);
    for (const s of stored)
      expect(store.outbox.get(s.id)).toMatchObject({ status: 'sent', response: expect.stringMatching(/^250 OK: queued as sink-/) });
    // both senders are stopped: what arrived is all there will be
    expect(sink.messages.length).toBe(start + 4);
  });

  it('two processes sending from one outbox (a daemon and a command): each email goes out once', async () => {
    const start = sink.messages.length;
    const rows = Array.from(
      { length: 6 },
      (_, i) => store.outbox.add({ kind: 'test', to: [`p${i}@example.com`], subject: `pair ${i}`, text: `body ${i}` }, 'greenci.test')!,
    );
    const a = new OutboxSender(store.outbox, new Mailer(smtp(), {}), {}, store.leases);
    const b = new OutboxSender(store.outbox, new Mailer(smtp(), {}), {}, store.leases);
    a.start();
    b.start();
    a.kick();
    b.kick();
    await waitUntil(() => rows.every((r) => store.outbox.get(r.id)?.status === 'sent'), 'every row sent', 20_000, 20);
    await b.flush();
    await Promise.all([a.stop(), b.stop()]);
    const got = sink.messages
      .slice(start)
      .map((m) => m.subject)
      .sort();
    expect(got).toEqual(rows.map((r) => r.subject).sort());
  });
});
