import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../engine/errors.js';
import { commitToBare } from '../../engine/git/seed.js';
import { sleep } from '../../engine/time.js';
import { type LoadResult, startLoad } from '../demo/load.js';
import { loadSummary } from '../demo/load-summary.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { releaseCommand, rollbackCommand } from './releases.js';
import { runCommand } from './run.js';

/** Keep-alive clients per app: enough to see every gap, light enough for a small machine. */
const CLIENTS = 8;
const AUTHOR = { name: 'Green Developer', email: 'dev@green.example' };
/** Load runs this long before each change and after it, so each summary shows both sides. */
const SETTLE_MS = 1000;

export interface TourOptions {
  /** The sample's bare repository (its "GitHub"), the config, the project's name and production ports. */
  bare: string;
  configFile: string;
  project: string;
  ports: { billing: number; weight: number };
}

interface Step {
  title: string;
  act(io: Io): Promise<number>;
}

/**
 * `greenci demo --tour`, after the demo's first release: four production changes of the sample
 * project, each under steady load (keep-alive clients on both apps through the front proxy), each
 * followed by what those clients saw: answers, failures, which release answered, the longest wait
 * for a 200. A release (a pushed change), a rollback (a switch to the warm previous release, which
 * holds production), a push while held (built and tested, not released), and a canary release of
 * that build (20 % for 20 s, then everything) which lifts the hold.
 */
export async function demoTour(opts: TourOptions, io: Io): Promise<number> {
  const config = ['--config', opts.configFile];
  const p = opts.project;
  const apps = (['billing', 'weight'] as const).map((app) => ({ app, url: `http://127.0.0.1:${opts.ports[app]}/health` }));
  const push = (message: string) => commitToBare({ bareDir: opts.bare, branch: 'master', message, author: AUTHOR, edit: bumpWeightApi });
  const steps: Step[] = [
    {
      title:
        'a release: a change pushed to master is built and tested, started beside the live release, and takes the traffic once healthy',
      act: async (o) => (await push('feat: the next weight API version'), runCommand([p, '--branch', 'master', ...config], o)),
    },
    {
      title: 'a rollback: back to the previous release, whose apps are still warm: a switch, nothing started. It holds production',
      act: (o) => rollbackCommand([p, ...config], o),
    },
    {
      title: 'a push while production is held: built and tested, not released; production keeps answering',
      act: async (o) => (await push('feat: one more weight API version'), runCommand([p, '--branch', 'master', ...config], o)),
    },
    {
      title:
        'a canary: that build takes 20 % of requests for 20 s while greenci compares both releases, then every request; the hold lifts',
      act: (o) => releaseCommand([p, '--canary', '20', '--for', '20s', ...config], o),
    },
  ];

  await liftLeftoverHold(p, config, io);
  let failedRequests = 0;
  for (const [i, step] of steps.entries()) {
    io.out(`\ntour ${i + 1}/${steps.length}: ${step.title}`);
    const loads = apps.map((a) => ({ app: a.app, run: startLoad(a.url, { clients: CLIENTS, maxMs: 600_000 }) }));
    let code: number;
    const results: { app: string; load: LoadResult }[] = [];
    try {
      await sleep(SETTLE_MS);
      code = await step.act(indented(io));
      await sleep(SETTLE_MS);
    } finally {
      for (const l of loads) results.push({ app: l.app, load: await l.run.stop() });
    }
    for (const line of loadSummary(results, CLIENTS)) io.out(`  ${line}`);
    failedRequests += results.reduce((n, r) => n + r.load.failures.length, 0);
    if (code !== EXIT.ok) {
      io.err(`demo: tour step ${i + 1} failed (exit ${code}); production is as greenci left it (npx greenci status ${config.join(' ')})`);
      return code;
    }
  }
  io.out(
    `\ntour: four production changes, ${failedRequests === 0 ? 'and no request failed' : `${failedRequests} requests failed`} (${CLIENTS} keep-alive clients per app throughout)`,
  );
  return EXIT.ok;
}

/** Each push of the tour raises the weight API's version, so each release is a real change. */
function bumpWeightApi(work: string): void {
  const file = path.join(work, 'weight', 'server.js');
  const text = readFileSync(file, 'utf8');
  const next = text.replace(/const API_VERSION = (\d+);/, (_, n: string) => `const API_VERSION = ${Number(n) + 1};`);
  if (next === text) throw new Error(`demo: ${file} has no "const API_VERSION = N;" line to change`);
  writeFileSync(file, next);
}

/** A tour stopped half-way (Ctrl-C after its rollback) leaves production held: its next run starts by lifting that. */
async function liftLeftoverHold(project: string, config: string[], io: Io): Promise<void> {
  try {
    await releaseCommand([project, '--lift', ...config], indented(io));
  } catch (err) {
    if (!(err instanceof UsageError && /is not held/.test(err.message))) throw err;
  }
}

function indented(io: Io): Io {
  return { ...io, out: (l) => io.out(`  ${l}`), err: (l) => io.err(`  ${l}`) };
}
