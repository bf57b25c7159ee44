import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

/** With no daemon, a build run from the command line still emails its result, and it is marked sent before the command exits. */
describe('email without a daemon', () => {
  let sink: SmtpSink;
  let g: GreenSetup;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    g = await setupGreen({ noEngine: true, extra: sink.configLines().join('\n') });
  });
  afterAll(async () => {
    await g?.cleanup();
    await sink?.down();
  });

  it('greenci run: the head commit author gets the result; the outbox row is sent when the command returns', async () => {
    await g.origin.checkoutNewBranch('feature-cli');
    const sha = await g.origin.commitVariant('broken-config', 'chore: tidy greenci.yml (breaks it)');
    await g.origin.push('feature-cli');
    const r = await greenciDone(['run', g.project, '--branch', 'feature-cli', '--config', g.configFile], g.env);
    expect(r.code).toBe(1);
    const store = openStore(g.dataDir);
    try {
      const [row] = store.outbox.list();
      expect(row).toMatchObject({ status: 'sent', to: ['dev@green.example'], subject: `✖ ${g.project} feature-cli #1 failed at config` });
      const m = await waitUntil(() => sink.messages.find((x) => x.subject === row.subject), 'the email at the SMTP server', 10_000);
      expect(m.envelopeTo).toEqual(['dev@green.example']);
      expect(m.text).toMatch(new RegExp(`^commit:\\s+${sha.slice(0, 12)} chore: tidy greenci.yml`, 'm'));
      expect(m.text).toMatch(/last \d+ lines of config:/);
    } finally {
      store.close();
    }
  });
});
