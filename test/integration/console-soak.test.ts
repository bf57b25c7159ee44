import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import type { BuildRecord } from '../../engine/model.js';
import { ControlClient } from '../../src/control-client.js';
import { busyboxImage, runBusybox } from '../helpers/busybox.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { Tmux } from '../helpers/tmux.js';
import { waitUntil } from '../helpers/wait.js';

/** How long events flow at the console: the measured part of the test. */
const SOAK_MS = 75_000;
/** The console's V8 old space, as the reproduction had it: the development builds ran out of it within two minutes. */
const HEAP_MB = 64;
/** Samples taken in the first and the last WINDOW_MS of the soak are compared. */
const WINDOW_MS = 15_000;

/** One line the console's reporter writes every 500 ms (see `reporterSource`). */
interface Sample {
  at: number;
  pid: number;
  nodeEnv: string | null;
  heapUsed: number;
  /** PerformanceMeasure entries in the process's global performance timeline (React's development build adds them). */
  measures: number;
  /** React and react-reconciler files that ran, e.g. react.production.js. */
  react: string[];
}

/**
 * A module the console is started with (`node --import`): every 500 ms it appends the heap in use,
 * the performance timeline's measure count and which React build ran to `file`. It only reads; the
 * console itself reports nothing.
 */
const reporterSource = (file: string) => `
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const cache = createRequire(${JSON.stringify(file)}).cache;
setInterval(() => {
  const react = Object.keys(cache)
    .filter((k) => /\\/react(-reconciler)?\\/cjs\\//.test(k) && cache[k].loaded)
    .map((k) => k.slice(k.lastIndexOf('/') + 1));
  const sample = {
    at: Date.now(),
    pid: process.pid,
    nodeEnv: process.env.NODE_ENV ?? null,
    heapUsed: process.memoryUsage().heapUsed,
    measures: performance.getEntriesByType('measure').length,
    react,
  };
  appendFileSync(${JSON.stringify(file)}, JSON.stringify(sample) + '\\n');
}, 500).unref();
`;

/** The process's resident set, or undefined once it is gone (a zombie has no VmRSS line). */
const vmRssKb = (pid: number): number | undefined => {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb);
  } catch {
    return undefined;
  }
};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * Issue 11: the console left open grew without bound (React's development build filled the
 * performance timeline). The real console (`node --import tsx src/bin.ts`, NODE_ENV unset as in an
 * operator's shell, a 64 MB old space) in a real terminal, attached to a real daemon, while builds
 * come and go and containers are sampled, for SOAK_MS: it is still alive at the end, and neither its
 * heap nor its RSS grew beyond a generous bound between the first and the last samples.
 */
describe('the console left open while events flow', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let client: ControlClient;
  let image: string;
  let t: Tmux | undefined;

  beforeAll(async () => {
    g = await setupGreen({ noEngine: true, extra: 'reconcile:\n  schedule: "0 0 1 1 *"' });
    [image, d] = await Promise.all([busyboxImage(g.project), startDaemon(g.configFile, g.env)]);
    client = new ControlClient(g.config.control.socket!);
  });
  afterAll(async () => {
    await t?.kill();
    await d?.stop();
    await g?.cleanup();
  });

  it(`stays alive and flat for ${SOAK_MS / 1000} s with a ${HEAP_MB} MB heap (production React, no performance measures)`, async () => {
    // containers the daemon samples about once a second while the console follows its events
    for (const n of ['a', 'b'])
      await runBusybox({
        image,
        name: `${g.project}-test-soak-${n}`,
        script: 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done',
        labels: { [LABEL.project]: g.project, [LABEL.env]: 'test', [LABEL.service]: `soak-${n}` },
      });

    const samplesFile = path.join(g.dataDir, 'console-samples.ndjson');
    const reporter = path.join(g.dataDir, 'console-reporter.mjs');
    writeFileSync(reporter, reporterSource(samplesFile));
    writeFileSync(samplesFile, '');
    const samples = (): Sample[] =>
      readFileSync(samplesFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Sample);

    // vitest sets NODE_ENV=test and tmux passes it on: unset it, as in an operator's shell
    const argv = ['env', '-u', 'NODE_ENV', process.execPath, `--max-old-space-size=${HEAP_MB}`, '--import', reporter];
    t = await Tmux.start([...argv, '--import', 'tsx', 'src/bin.ts', '--config', g.configFile], {
      columns: 200,
      rows: 50,
      env: { USER: 'olivia', SUDO_USER: '' },
    });
    await t.waitFor(new RegExp(`daemon pid ${d.pid}`), 30_000, 'the console attached to the daemon');
    await t.waitFor(/3 Containers[\s\S]*soak-a/, 30_000, 'the containers pane with the soak containers');
    const pid = (await waitUntil(() => samples()[0], "the console's first sample", 10_000)).pid;

    // builds that fail at checkout (a commit origin lacks): each one is queued, runs, logs and fails in
    // well under a second, and the console is sent every step of it
    let stop = false;
    let builds = 0;
    const flow = (async () => {
      while (!stop) {
        const b = await client.request<BuildRecord>('POST', '/builds', {
          project: g.project,
          branch: 'master',
          sha: 'dead0000'.repeat(5),
          requestedBy: 'soak',
        });
        await waitUntil(
          async () => ['success', 'failed', 'cancelled'].includes((await client.request<BuildRecord>('GET', `/builds/${b.id}`)).status),
          `build #${b.id} to end`,
          30_000,
          50,
        );
        builds++;
      }
    })();

    const started = Date.now();
    const rss: { at: number; kb: number }[] = [];
    try {
      // the soak itself: sample RSS until the time is up, or the console is gone
      await waitUntil(
        () => {
          const kb = vmRssKb(pid);
          if (kb === undefined) return true;
          rss.push({ at: Date.now(), kb });
          return Date.now() - started >= SOAK_MS;
        },
        'the soak to end',
        SOAK_MS + 10_000,
        500,
      );
    } finally {
      stop = true;
    }
    const flowError = await flow.then(
      () => undefined,
      (err: Error) => err.message,
    );
    const ended = Date.now();

    const all = samples().filter((s) => s.at >= started);
    const early = all.filter((s) => s.at < started + WINDOW_MS);
    const late = all.filter((s) => s.at >= ended - WINDOW_MS);
    const rssEarly = rss.filter((r) => r.at < started + WINDOW_MS).map((r) => r.kb * 1024);
    const rssLate = rss.filter((r) => r.at >= ended - WINDOW_MS).map((r) => r.kb * 1024);
    // the heap's floor (a sawtooth: the lowest sample of a window is just after a collection)
    const figures = {
      seconds: Math.round((ended - started) / 1000),
      builds,
      alive: vmRssKb(pid) !== undefined,
      heapFloorEarlyMB: mb(Math.min(...early.map((s) => s.heapUsed))),
      heapFloorLateMB: mb(Math.min(...late.map((s) => s.heapUsed))),
      rssEarlyMB: mb(Math.min(...rssEarly)),
      rssLateMB: mb(Math.max(...rssLate)),
      measures: all.at(-1)?.measures,
      nodeEnv: all.at(-1)?.nodeEnv,
      react: all.at(-1)?.react,
    };
    console.info(`console soak: ${JSON.stringify(figures)}`);

    expect(figures.alive, `the console died during the soak:\n${await t.capture()}`).toBe(true);
    expect(await t.dead()).toBe(false);
    expect(flowError).toBeUndefined();
    expect(builds).toBeGreaterThan(20);
    expect(late.length).toBeGreaterThan(10);
    expect(figures.heapFloorLateMB - figures.heapFloorEarlyMB).toBeLessThan(12);
    expect(figures.rssLateMB - figures.rssEarlyMB).toBeLessThan(40);
    // why: React's production build, which records nothing in the performance timeline
    expect(figures.nodeEnv).toBe('production');
    expect(figures.react).toContain('react.production.js');
    expect(figures.react).toContain('react-reconciler.production.js');
    expect(figures.react?.filter((f) => f.includes('development'))).toEqual([]);
    expect(figures.measures).toBe(0);

    // and it still answers the keyboard: q closes it
    await t.keys('q');
    await waitUntil(() => t!.dead(), 'the console to exit', 15_000);
  }, 170_000);
});
