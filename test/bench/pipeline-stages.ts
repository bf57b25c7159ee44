/**
 * Benchmark: stage timings of the sample project's master pipeline, run N times (default 3), and
 * in the same run a peer doing the same build → test environment → tests with plain `docker` CLI
 * calls, the way a shell-script CI would. Prints figures; asserts nothing.
 *
 *   npm run bench            # or: npx tsx test/bench/pipeline-stages.ts [runs]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { removeProjectResources } from '../helpers/docker-env.js';
import { setupGreen } from '../helpers/green.js';
import { GREEN_PROJECT } from '../helpers/origin.js';
import { httpGet } from '../../engine/http-probe.js';

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

async function greenciRuns(): Promise<Record<string, number[]>> {
  const g = await setupGreen();
  const times: Record<string, number[]> = {};
  try {
    for (let i = 0; i < RUNS; i++) {
      await g.origin.commitAll(`fix: run ${i}`);
      await g.origin.push('master');
      const build = await g.engine.run({ project: g.project, branch: 'master' });
      if (build.status !== 'success') throw new Error(`run ${i} failed: ${build.reason}`);
      for (const s of build.stages) (times[s.name] ??= []).push(s.finishedAt! - s.startedAt!);
      (times.total ??= []).push(build.finishedAt! - build.startedAt!);
    }
  } finally {
    await g.cleanup();
  }
  return times;
}

/** The same work as build + deploy-test + test, as a shell script would do it with the docker CLI. */
/** The peer's database password (a script would take it from its environment); the peer is thrown away after each run. */
const PEER_PASSWORD = `bench-${process.pid}`;

async function peerRun(i: number): Promise<Record<string, number>> {
  const p = `bench-peer-${process.pid}-${i}`;
  const d = (...args: string[]) => run('docker', args, { maxBuffer: 64 * 1024 * 1024 });
  const label = ['--label', `greenci.project=${p}`];
  const t: Record<string, number> = {};
  let t0 = Date.now();
  for (const [name, dir] of [
    ['weight-db', 'db'],
    ['weight', 'weight'],
    ['billing-db', 'db'],
    ['billing', 'billing'],
    ['tests', 'tests'],
  ]) {
    await d('build', '-q', ...label, '--label', `run=${i}`, '-t', `${p}-${name}:bench`, path.join(GREEN_PROJECT, dir));
  }
  t.build = Date.now() - t0;
  t0 = Date.now();
  await d('network', 'create', ...label, p);
  const startDb = async (name: string, db: string) => {
    // poll the image's own check (the same greenci.yml names) until the server answers as the app's user
    await d(
      'run',
      '-d',
      '--init',
      ...label,
      '--name',
      `${p}-${name}`,
      '--network',
      p,
      '--network-alias',
      name,
      '-v',
      `${p}-${name}:/var/lib/mysql`,
      ...['-e', `MARIADB_DATABASE=${db}`, '-e', `MARIADB_USER=${db}`, '-e', `MARIADB_PASSWORD=${PEER_PASSWORD}`],
      `${p}-${name}:bench`,
    );
    for (;;) {
      const r = await d('exec', `${p}-${name}`, 'greenci-mariadb-health').then(
        () => true,
        () => false,
      );
      if (r) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const startApp = async (name: string, env: string[]) => {
    await d(
      'run',
      '-d',
      '--init',
      ...label,
      '--name',
      `${p}-${name}`,
      '--network',
      p,
      '--network-alias',
      name,
      '-p',
      '127.0.0.1::8080',
      ...env.flatMap((e) => ['-e', e]),
      `${p}-${name}:bench`,
    );
    const port = (await d('port', `${p}-${name}`, '8080/tcp')).stdout.trim().split(':').pop();
    for (;;) {
      const ok = await httpGet(`http://127.0.0.1:${port}/health`, 2000).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const dbEnv = (db: string) => [`DB_HOST=${db}-db`, `DB_NAME=${db}`, `DB_USER=${db}`, `DB_PASSWORD=${PEER_PASSWORD}`];
  await startDb('weight-db', 'weight');
  await startApp('weight', dbEnv('weight'));
  await startDb('billing-db', 'billing');
  await startApp('billing', [...dbEnv('billing'), 'WEIGHT_URL=http://weight:8080', 'RATE_PER_KG=0.5']);
  t['deploy-test'] = Date.now() - t0;
  t0 = Date.now();
  await d(
    'run',
    '--rm',
    '--init',
    ...label,
    '--network',
    p,
    '-e',
    'BILLING_URL=http://billing:8080',
    '-e',
    'WEIGHT_URL=http://weight:8080',
    `${p}-tests:bench`,
  );
  t.test = Date.now() - t0;
  t.total = t.build + t['deploy-test'] + t.test;
  await removeProjectResources(p);
  await run('docker', ['volume', 'rm', '-f', `${p}-weight-db`, `${p}-billing-db`]).catch(() => undefined);
  return t;
}

const ours = await greenciRuns();
const peer: Record<string, number[]> = {};
for (let i = 0; i < RUNS; i++) for (const [k, v] of Object.entries(await peerRun(i))) (peer[k] ??= []).push(v);

console.log(`\nmaster pipeline of the sample Green project, ${RUNS} runs each (median, min-max)\n`);
console.log(`${'stage'.padEnd(20)}${'greenci'.padEnd(26)}docker CLI script (peer)`);
for (const stage of ['checkout', 'config', 'build', 'deploy-test', 'test', 'promote', 'deploy-production', 'release', 'total']) {
  const cell = (xs?: number[]) => (xs ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})` : '-');
  const peerCell = stage === 'total' ? `${cell(peer.total)} (build+deploy-test+test only)` : cell(peer[stage]);
  console.log(`${stage.padEnd(20)}${cell(ours[stage]).padEnd(26)}${peerCell}`);
}
const comparable = ours.build.map((b, i) => b + ours['deploy-test'][i] + ours.test[i]);
console.log(`\nbuild+deploy-test+test: greenci ${fmt(median(comparable))}, peer ${fmt(median(peer.total))}`);
