import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

/** `retention.minFree` larger than any disk: the real free space of this host's filesystems is below it. */
const HUGE = '1000000g';

/**
 * The monitor's low-disk alert in a real daemon, on this host's real filesystems (nothing faked:
 * the threshold is set above the disk's size): ops get one email when the disk holding Docker's
 * data root and greenci's data dir is low, `greenci status` and `greenci health` say so, and once
 * the threshold is back to a normal one (SIGHUP) one more email says it has space again.
 */
describe('greenci daemon: the low-disk alert', () => {
  let sink: SmtpSink;
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  const extra = (minFree: string) =>
    [
      'reconcile:',
      '  schedule: "0 0 1 1 *"',
      ...sink.configLines({ ops: ['ops@example.com'] }),
      'monitor:',
      '  schedule: "* * * * * *"',
      'retention:',
      `  minFree: ${minFree}`,
    ].join('\n');
  const diskMails = (verb: string) => sink.messages.filter((m) => new RegExp(`^[✖✔] greenci disk .* ${verb}$`).test(m.subject ?? ''));
  const diskKey = () => store.health.all().find((h) => h.key.startsWith('greenci/disk/'))?.key;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    g = await setupGreen({ noEngine: true });
    g.writeConfig({ extra: extra(HUGE) });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
    await sink?.down();
  });

  it('free space below retention.minFree: one email to ops, the check down in greenci health and status, the journal says it', async () => {
    const low = await waitUntil(() => diskMails('low on space')[0], 'the low-disk email', 60_000);
    const key = diskKey()!;
    const title = store.health.get(key)!.title;
    // Docker's data root and the data dir: one check per filesystem, naming what is on it
    expect(title).toMatch(/^greenci disk \/\S+/);
    expect(title).toContain(g.dataDir);
    expect(low.subject).toBe(`✖ ${title} low on space`);
    expect(low.envelopeTo).toEqual(['ops@example.com']);
    expect(low.text).toMatch(
      new RegExp(
        `low on space at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC: [\\d.]+ GiB free of [\\d.]+ GiB \\([\\d.]+ %\\), below retention.minFree 1000000.0 GiB, on the filesystem of .*greenci's data dir ${g.dataDir}`,
      ),
    );
    expect(d.logs.some((l) => l.health === key && /degraded → down: .*below retention.minFree.*; an alert for ops$/.test(l.msg))).toBe(
      true,
    );

    const status = await greenciDone(['status', '--config', g.configFile], g.env);
    expect(status.stdout).toMatch(
      new RegExp(`^health: 1 down: ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} down \\(greenci health\\)$`, 'm'),
    );
    expect(status.stdout).toMatch(/^disk free: .* on greenci's data dir .* — below retention.minFree/m);
    const health = await greenciDone(['health', '--json', '--config', g.configFile], g.env);
    expect((JSON.parse(health.stdout) as { health: { key: string; state: string }[] }).health).toContainEqual(
      expect.objectContaining({ key, state: 'down', kind: 'greenci' }),
    );

    // it stays low for three more rounds: nobody is emailed again
    const mailedAt = store.health.get(key)!.checkedAt;
    await waitUntil(() => store.health.get(key)!.checkedAt > mailedAt + 3000, 'three more rounds', 30_000);
    expect(store.health.get(key)!.state).toBe('down');
    expect(diskMails('low on space')).toHaveLength(1);
  });

  it('a normal threshold again (SIGHUP): one email says the disk has space again', async () => {
    const key = diskKey()!;
    g.writeConfig({ extra: extra('1%') });
    d.child.kill('SIGHUP');
    const back = await waitUntil(() => diskMails('has space again')[0], 'the space-again email', 60_000);
    expect(back.subject).toBe(`✔ ${store.health.get(key)!.title} has space again`);
    expect(back.text).toMatch(/has space again at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(store.health.get(key)).toMatchObject({ state: 'healthy', alerted: false });
    const status = await greenciDone(['status', '--config', g.configFile], g.env);
    expect(status.stdout).toMatch(/^health: all \d+ checks healthy$/m);
    expect(diskMails('low on space')).toHaveLength(1);
  });
});
