/**
 * Benchmark: what production's clients see while it changes. 16 keep-alive clients on each of the
 * sample project's apps (/health) while greenci releases through the front proxy (a release, a
 * rollback to the warm previous release, one to a cold older release, a release never healthy,
 * one failing after the switch), and in the same run the peer: the in-place method greenci used
 * before (and what a shell script does) on the same images — a forced remove of each app's
 * container, then create+start of the new one on the same host port. Prints figures; asserts nothing.
 *
 *   npm run bench:release          # or: npx tsx test/bench/release.bench.ts
 */
import type { BuildRecord } from '../../engine/model.js';
import { LABEL } from '../../engine/docker/names.js';
import { docker, freePort, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { type GreenSetup, setupGreen } from '../helpers/green.js';
import { type LoadResult, type LoadRun, startLoad, versionOf } from '../helpers/http-load.js';

type App = 'billing' | 'weight';
const APPS: App[] = ['billing', 'weight'];
/** Bounds: each load, each scenario, the whole run. */
const LOAD = { clients: 16, maxMs: 240_000, maxRequests: 600_000 };
const SCENARIO_MS = 300_000;
const RUN_MS = 30 * 60_000;

interface Row {
  scenario: string;
  method: 'greenci' | 'in-place';
  app: App;
  load: LoadResult;
  /** ms from the command to the switch (or what stands for it), and how it was measured. */
  toSwitch: string;
  /** ms from the command to the first answer from the target release the load saw. */
  firstTarget?: number;
}

const rows: Row[] = [];
const notes: string[] = [];
const started = Date.now();

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: over its ${ms / 1000} s bound`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Runs `change` with both apps under load. `from: 'now'`: the load flows for a second before the
 * change; `from: 'promote'`: the change (a build) calls `begin` when its promote stage starts, so
 * the production change is measured, not the build. After it: until the load has seen `target`
 * answer (when given), then one more second.
 */
async function underLoad<T>(
  ports: Record<App, number>,
  what: string,
  change: (begin: () => void) => Promise<T>,
  opts: { from: 'now' | 'promote'; target?: () => string | undefined },
): Promise<{ result: T; loads: Record<App, LoadResult>; commandAt: number }> {
  let runs: Record<App, LoadRun> | undefined;
  const begin = () => {
    runs ??= {
      billing: startLoad(`http://127.0.0.1:${ports.billing}/health`, LOAD),
      weight: startLoad(`http://127.0.0.1:${ports.weight}/health`, LOAD),
    };
    return runs;
  };
  if (opts.from === 'now') {
    const t0 = Date.now();
    await Promise.all(APPS.map((a) => begin()[a].waitFor((s) => s.sent > t0 + 1000, 30_000)));
  }
  const commandAt = Date.now();
  const result = await bounded(
    change(() => void begin()),
    SCENARIO_MS,
    what,
  );
  const all = begin();
  const target = opts.target?.();
  if (target)
    await Promise.all(
      APPS.map((a) =>
        all[a].waitFor((s) => versionOf(s) === target, 60_000).catch(() => notes.push(`${what}: ${a} never answered from ${target}`)),
      ),
    );
  const after = Date.now();
  await Promise.all(APPS.map((a) => all[a].waitFor((s) => s.sent > after + 1000, 30_000).catch(() => undefined)));
  return { result, loads: { billing: await all.billing.stop(), weight: await all.weight.stop() }, commandAt };
}

function firstAnswerFrom(load: LoadResult, version: string | undefined, since: number): number | undefined {
  if (!version) return undefined;
  const at = load.samples.filter((s) => versionOf(s) === version).map((s) => s.at);
  return at.length ? Math.min(...at) - since : undefined;
}

const sec = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);

// ---------------------------------------------------------------------------------------------
// greenci, through the front proxy

/** A build from promote on, under load; the switch read from the build's records (deploy-production's start, its `front proxy: … →` lines). */
async function greenciBuild(g: GreenSetup, scenario: string, opts: { takesRequests: boolean }): Promise<BuildRecord> {
  let begin: () => void = () => undefined;
  const unsubscribe = g.engine.subscribe((e) => {
    if (e.type === 'stage.updated' && e.stage.name === 'promote' && e.stage.status === 'running') begin();
  });
  let build: BuildRecord | undefined;
  const { result, loads } = await underLoad(
    g.ports,
    scenario,
    (b) => ((begin = b), g.engine.run({ project: g.project, branch: 'master' }).then((r) => (build = r))),
    // a release never healthy never answers: nothing to wait for
    { from: 'promote', target: () => (opts.takesRequests ? build?.version : undefined) },
  ).finally(unsubscribe);
  build = result;
  const deployStart = build.stages.find((s) => s.name === 'deploy-production')?.startedAt;
  const deployEnd = build.stages.find((s) => s.name === 'deploy-production')?.finishedAt;
  const switches = g.engine
    .logs(build.id)
    .filter((l) => l.stage === 'deploy-production' && /^front proxy: .*→/.test(l.line))
    .map((l) => l.ts);
  let toSwitch: string;
  if (!deployStart) toSwitch = 'no deploy-production';
  else if (!switches.length) toSwitch = `never (failed at ${sec((deployEnd ?? deployStart) - deployStart)})`;
  else
    toSwitch = `${[sec(switches[0] - deployStart), ...switches.slice(1).map((t) => `back at ${sec(t - deployStart)}`)].join(', ')} [log]`;
  notes.push(`${scenario}: build #${build.id} ${build.version ?? '?'} ${build.status}${build.reason ? ` — ${build.reason}` : ''}`);
  for (const app of APPS)
    rows.push({
      scenario,
      method: 'greenci',
      app,
      load: loads[app],
      toSwitch,
      firstTarget: deployStart ? firstAnswerFrom(loads[app], build.version, deployStart) : undefined,
    });
  return build;
}

/** engine.rollback under load; the switch is the first answer from the target release the load sees. */
async function greenciRollback(g: GreenSetup, scenario: string, to?: string): Promise<void> {
  let target = to;
  const { result, loads, commandAt } = await underLoad(
    g.ports,
    scenario,
    async () => {
      const r = await g.engine.rollback({ project: g.project, to, requestedBy: 'bench' });
      target = r.to.version;
      return r;
    },
    { from: 'now', target: () => target },
  );
  // a manual rollback holds production: lifted so the next release goes through
  g.engine.liftHold({ project: g.project, requestedBy: 'bench' });
  notes.push(`${scenario}: ${result.from?.version} → ${result.to.version}, warm: ${result.warm}`);
  for (const app of APPS) {
    const first = firstAnswerFrom(loads[app], result.to.version, commandAt);
    rows.push({ scenario, method: 'greenci', app, load: loads[app], toSwitch: `${sec(first)} [load]`, firstTarget: first });
  }
}

// ---------------------------------------------------------------------------------------------
// the peer: in place, on the same images

/** The peer's database password (a script would take it from its environment); the peer is thrown away after the run. */
const PEER_PASSWORD = `bench-${process.pid}`;
/** The apps' and databases' settings from the sample's greenci.yml (production: 256m, 0.5 CPU), as a script would hard-code them. */
const dbEnv = (db: App) => [`DB_HOST=${db}-db`, `DB_NAME=${db}`, `DB_USER=${db}`, `DB_PASSWORD=${PEER_PASSWORD}`];
const APP_ENV: Record<App, string[]> = {
  weight: dbEnv('weight'),
  billing: [...dbEnv('billing'), 'WEIGHT_URL=http://weight:8080', 'RATE_PER_KG=0.5'],
};
const DB_ENV = (db: App) => [`MARIADB_DATABASE=${db}`, `MARIADB_USER=${db}`, `MARIADB_PASSWORD=${PEER_PASSWORD}`];
const RESOURCES = { Memory: 256 * 1024 * 1024, NanoCpus: 500_000_000 };

interface Peer {
  name: string;
  ports: Record<App, number>;
}

async function createAndStart(peer: Peer, service: string, image: string, extra: { env?: string[]; port?: number; version: string }) {
  const c = await docker.api.createContainer({
    name: `${peer.name}-${service}`,
    Image: image,
    Env: [...(extra.env ?? []), 'GREENCI_ENV=production', `GREENCI_VERSION=${extra.version}`, `GREENCI_PROJECT=${peer.name}`],
    Labels: { [LABEL.project]: peer.name },
    ...(extra.port ? { ExposedPorts: { '8080/tcp': {} } } : {}),
    HostConfig: {
      Init: true,
      NetworkMode: peer.name,
      ...RESOURCES,
      ...(extra.port ? { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(extra.port) }] } } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [peer.name]: { Aliases: [service] } } },
  });
  await c.start();
}

/** The in-place deploy: per app, dependencies first, `docker rm -f` then `docker run -d` on the same port. */
async function inPlace(peer: Peer, images: Record<string, string>, version: string): Promise<void> {
  for (const app of ['weight', 'billing'] as const) {
    await docker.api
      .getContainer(`${peer.name}-${app}`)
      .remove({ force: true })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
    await createAndStart(peer, app, images[app], { env: APP_ENV[app], port: peer.ports[app], version });
  }
}

async function peerRuns(images: Record<'v1' | 'v2', { version: string; ids: Record<string, string> }>): Promise<void> {
  const peer: Peer = { name: uniqueProject('bench-inplace'), ports: { billing: await freePort(), weight: await freePort() } };
  try {
    await docker.api.createNetwork({ Name: peer.name, Labels: { [LABEL.project]: peer.name } });
    for (const app of APPS)
      await createAndStart(peer, `${app}-db`, images.v1.ids[`${app}-db`], { env: DB_ENV(app), version: images.v1.version });
    await inPlace(peer, images.v1.ids, images.v1.version);
    // both up (billing's /health checks its database and weight) before anything is measured
    for (const app of APPS) {
      const probe = startLoad(`http://127.0.0.1:${peer.ports[app]}/health`, { clients: 1, maxMs: 60_000, maxRequests: 100_000 });
      await probe.waitFor((s) => s.status === 200, 60_000).finally(() => probe.stop());
    }
    for (const [scenario, to] of [
      ['release', images.v2],
      ['rollback', images.v1],
    ] as const) {
      const { loads, commandAt } = await underLoad(peer.ports, `in-place ${scenario}`, () => inPlace(peer, to.ids, to.version), {
        from: 'now',
        target: () => to.version,
      });
      for (const app of APPS) {
        const first = firstAnswerFrom(loads[app], to.version, commandAt);
        rows.push({ scenario, method: 'in-place', app, load: loads[app], toSwitch: `${sec(first)} [load]`, firstTarget: first });
      }
    }
  } finally {
    await removeProjectResources(peer.name);
  }
}

// ---------------------------------------------------------------------------------------------
// the table

const isJson = (body: string) => {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
};

function failedCell(load: LoadResult): string {
  if (!load.failures.length) return '0';
  const kinds = new Map<string, number>();
  const kind = (e: string) =>
    e === 'ECONNREFUSED'
      ? 'refused'
      : e === 'ECONNRESET' || e === 'EPIPE' || e === 'socket hang up'
        ? 'reset'
        : e === 'timed out'
          ? 'timeout'
          : e;
  for (const f of load.failures) kinds.set(kind(f.error), (kinds.get(kind(f.error)) ?? 0) + 1);
  return `${load.failures.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`;
}

function non200Cell(load: LoadResult): string {
  const bad = load.samples.filter((s) => s.status !== 200);
  if (!bad.length) return '0';
  const proxy = bad.filter((s) => !isJson(s.body)).length;
  return `${bad.length} (proxy ${proxy}, app ${bad.length - proxy})`;
}

function printTable(): void {
  const head = [
    'method',
    'scenario',
    'app',
    '200s',
    'failed requests',
    'non-200 answers',
    'longest gap w/o 200',
    'command → switch',
    '→ 1st target answer',
  ];
  const body = rows.map((r) => [
    r.method,
    r.scenario,
    r.app,
    String(r.load.ok),
    failedCell(r.load),
    non200Cell(r.load),
    sec(r.load.longestGapMs),
    r.toSwitch,
    sec(r.firstTarget),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

function printSummary(): void {
  const sum = (rs: Row[], f: (r: Row) => number) => rs.reduce((n, r) => n + f(r), 0);
  const ours = rows.filter((r) => r.method === 'greenci');
  const peer = rows.filter((r) => r.method === 'in-place');
  const proxyErrors = (r: Row) => r.load.samples.filter((s) => s.status !== 200 && !isJson(s.body)).length;
  const worst = (rs: Row[]) => rs.reduce((a, b) => (b.load.longestGapMs > a.load.longestGapMs ? b : a), rs[0]);
  const w = worst(ours);
  const pw = peer.length ? worst(peer) : undefined;
  const warm = ours.filter((r) => r.scenario === 'rollback-warm').map((r) => r.firstTarget ?? Number.NaN);
  const peerBack = peer.filter((r) => r.scenario === 'rollback').map((r) => r.firstTarget ?? Number.NaN);
  console.log(
    `\nSummary: across greenci's ${new Set(ours.map((r) => r.scenario)).size} scenarios through the front proxy the load got ` +
      `${sum(ours, (r) => r.load.ok)} answers 200, ${sum(ours, (r) => r.load.failures.length)} failed requests and ` +
      `${sum(ours, proxyErrors)} error pages from the proxy (${sum(ours, (r) => r.load.non200) - sum(ours, proxyErrors)} non-200 answers came from the apps themselves); ` +
      `its longest gap without a 200 was ${sec(w.load.longestGapMs)} (${w.scenario}, ${w.app}). ` +
      (pw
        ? `The in-place peer on the same images lost ${sum(peer, (r) => r.load.failures.length)} requests (refused/reset) and answered ` +
          `${sum(peer, (r) => r.load.non200)} non-200 in its release and rollback, with gaps up to ${sec(pw.load.longestGapMs)} (${pw.scenario}, ${pw.app}). ` +
          `A rollback to the warm release reached the clients in ${warm.map((x) => sec(x)).join(' / ')} (billing / weight) against ` +
          `${peerBack.map((x) => sec(x)).join(' / ')} for the in-place rollback. The in-place method has no counterpart for the last two ` +
          'scenarios: nothing checks its new container before it takes the port, and nothing is left running to switch back to. '
        : 'The in-place peer did not run. ') +
      'One run on a shared 2-core machine (other work may run on the same Docker engine): figures, not a verdict.',
  );
}

// ---------------------------------------------------------------------------------------------

let g: GreenSetup | undefined;
const overall = setTimeout(() => {
  console.error(`bench:release: over its ${RUN_MS / 60_000} min bound; cleaning up`);
  void bounded(g?.cleanup() ?? Promise.resolve(), 60_000, 'cleanup').finally(() => process.exit(2));
}, RUN_MS);

async function main(): Promise<void> {
  g = await setupGreen();
  await g.origin.commitAll('chore: first release');
  await g.origin.push('master');
  const first = await bounded(g.engine.run({ project: g.project, branch: 'master' }), SCENARIO_MS, 'first release');
  if (first.status !== 'success') throw new Error(`the first release failed: ${first.reason}`);
  console.log(
    `Green project ${g.project}: ${first.version} live behind the front proxy; load: ${LOAD.clients} keep-alive clients per app on /health\n`,
  );

  await g.origin.commitVariant('v2', 'feat: weight api v2');
  await g.origin.push('master');
  const v2 = await greenciBuild(g, 'release', { takesRequests: true });
  if (v2.status !== 'success') throw new Error(`the release failed: ${v2.reason}`);
  await greenciRollback(g, 'rollback-warm');

  // the peer, on the images of the first two releases (both still here: one live, one warm)
  const rel = g.engine.releases(g.project).releases;
  const ids = (v: string) => {
    const r = rel.find((x) => x.version === v);
    if (!r) throw new Error(`no release ${v}`);
    return { version: v, ids: Object.fromEntries(Object.entries(r.images).map(([k, i]) => [k, i.id])) };
  };
  await bounded(peerRuns({ v1: ids(first.version!), v2: ids(v2.version!) }), 2 * SCENARIO_MS, 'in-place peer');

  await g.origin.commitAll('feat: v0.3.0');
  await g.origin.push('master');
  const v3 = await bounded(g.engine.run({ project: g.project, branch: 'master' }), SCENARIO_MS, 'v0.3.0 (not measured)');
  if (v3.status !== 'success') throw new Error(`the third release failed: ${v3.reason}`);
  await greenciRollback(g, 'rollback-cold', v2.version);

  await g.origin.commitVariant('prod-unhealthy', 'fix: currency handling');
  await g.origin.push('master');
  await greenciBuild(g, 'release never healthy', { takesRequests: false });
  await g.origin.revertVariant('prod-unhealthy', 'revert: currency handling');

  await g.origin.commitVariant('fails-later', 'feat: connection pool');
  await g.origin.push('master');
  await greenciBuild(g, 'fails after switch', { takesRequests: true });
}

try {
  await main();
} catch (err) {
  console.error(`bench:release stopped: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
} finally {
  await bounded(g?.cleanup() ?? Promise.resolve(), 60_000, 'cleanup').catch((err) => console.error(String(err)));
  clearTimeout(overall);
}
if (rows.length) {
  console.log();
  printTable();
  console.log(
    '\n[log]: from the start of deploy-production to its "front proxy: … →" log line; [load]: from the command to the first answer',
  );
  console.log('from the target release seen by the load (the in-place peer has no switch: its new container answering is the switch).');
  console.log('Failed requests got no HTTP answer; non-200 answers are split by who sent them (HTML: the proxy; JSON: the app).');
  for (const n of notes) console.log(`  ${n}`);
  printSummary();
}
console.log(`\nrun time ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(process.exitCode ?? 0);
