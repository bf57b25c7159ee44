/**
 * Benchmark: how long from a production container being killed to its alert being stored and
 * the email arriving, and from it being started again to the recovery, with the default schedule
 * (every 10 s). In the same run, the peer: the same monitor polling only (no Docker events),
 * as a cron job checking `docker ps` and the health URL would. Prints figures; asserts nothing.
 *
 *   npx tsx test/bench/monitor-alert.ts [kills]     # default 3 kills each
 */
import { parseConfig } from '../../config/loader.js';
import { createEngine } from '../../engine/index.js';
import { openStore } from '../../engine/store/index.js';
import { docker, envContainers } from '../helpers/docker-env.js';
import { setupGreen } from '../helpers/green.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';
import { readFileSync } from 'node:fs';

const KILLS = Number(process.argv[2] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) =>
  `median ${(median(xs) / 1000).toFixed(1)} s, min ${(Math.min(...xs) / 1000).toFixed(1)} s, max ${(Math.max(...xs) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const sink = await SmtpSink.start();
  const g = await setupGreen({
    extra: [...sink.configLines({ ops: ['ops@example.com'] }), 'monitor:', '  flap: { limit: 100 }'].join('\n'),
  });
  try {
    const build = await g.engine.run({ project: g.project, branch: 'master' });
    if (build.status !== 'success') throw new Error(`the release failed: ${build.reason}`);
    g.engine.close();
    const config = parseConfig(readFileSync(g.configFile, 'utf8'), g.dataDir, { ...process.env, ...g.env }).config!;
    console.log(
      `monitor.schedule "${config.monitor.schedule}", downAfter ${config.monitor.downAfter}, recoverAfter ${config.monitor.recoverAfter}; ${KILLS} kills each\n`,
    );
    for (const mode of ['greenci (Docker events + schedule)', 'peer: polling on the schedule only'] as const) {
      const store = openStore(config.dataDir);
      const engine = createEngine({ config, env: process.env, store });
      const mail = engine.startMail({ env: process.env });
      const monitor = engine.startMonitor({ dockerEvents: mode.startsWith('greenci') });
      const key = `${g.project}/production/billing`;
      const stored: number[] = [];
      const mailed: number[] = [];
      const recovered: number[] = [];
      try {
        for (let i = 0; i < KILLS; i++) {
          await waitUntil(() => store.health.get(key)?.state === 'healthy', 'billing healthy', 120_000, 50);
          const last = store.health.transitions({ limit: 1 })[0]?.id ?? 0;
          const mails = sink.messages.length;
          const id = (await envContainers(g.project, 'production')).billing.Id;
          const killedAt = Date.now();
          await docker.api.getContainer(id).kill();
          const down = await waitUntil(
            () => store.health.transitions({ key }).find((t) => t.id > last && t.to === 'down'),
            'down stored',
            120_000,
            20,
          );
          stored.push(down.at - killedAt);
          await waitUntil(
            () => sink.messages.slice(mails).some((m) => / prod billing down$/.test(m.subject ?? '')),
            'the down email',
            120_000,
            20,
          );
          mailed.push(Date.now() - killedAt);
          const startedAt = Date.now();
          await docker.api.getContainer(id).start();
          await waitUntil(
            () => sink.messages.slice(mails).some((m) => / prod billing recovered$/.test(m.subject ?? '')),
            'the recovery email',
            120_000,
            20,
          );
          recovered.push(Date.now() - startedAt);
        }
      } finally {
        await monitor.stop();
        await mail?.stop();
        engine.close();
      }
      console.log(mode);
      console.log(`  kill → down alert stored   ${fmt(stored)}`);
      console.log(`  kill → email at the server ${fmt(mailed)}`);
      console.log(`  start → recovery email     ${fmt(recovered)}\n`);
    }
  } finally {
    await g.cleanup();
    await sink.down();
  }
}

void main().then(
  () => process.exit(0),
  (err) => (console.error(err), process.exit(1)),
);
