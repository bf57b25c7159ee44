/**
 * Benchmark: the front-proxy comparison behind greenci's choice of HAProxy, repeated on loopback.
 * Per candidate, 3 runs of 10 switches: 16 keep-alive clients (src/demo/load.ts) on the proxy's
 * port while it switches from backend A to backend B and back. Backends are two small node HTTP
 * servers on 127.0.0.1 answering their name. After each switch (once the new backend answers,
 * plus a second) the old backend is stopped as greenci stops a drained release (`close()`, then
 * `closeAllConnections()`), and started again for the next switch.
 *
 *   1. HAProxy (Debian 2.6, /usr/sbin/haproxy): greenci's own config (`renderHaproxyConfig`, the
 *      admin socket moved into the run's temp dir) with one backend of two server slots, switched
 *      by greenci's own runtime commands (`runtimeCommands`: the new slot addressed, weighted and
 *      `state ready`, then the old one `set weight 0` + `state drain`) through `RuntimeApi`.
 *   2. nginx (Debian nginx-light): the upstream rewritten, then `nginx -s reload`.
 *   3. Caddy (Debian caddy 2.6): the whole JSON config with the new upstream `POST /load`ed to
 *      its admin API on a loopback port.
 *
 * Each candidate runs as a host process in its own temp dir on free ports; every process and temp
 * dir is removed at the end, on failure and on Ctrl-C. nginx-light and caddy are installed with
 * apt-get when missing (as src/host/prepare.sh installs packages; needs root). The whole run is
 * bounded (10 minutes), and each step. Prints figures; asserts nothing.
 *
 *   npm run bench:proxy          # or: npx tsx test/bench/proxy-switch.bench.ts
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_SOCKET, PROXY_DIR_IN_CONTAINER, renderHaproxyConfig } from '../../engine/proxy/haproxy-config.js';
import type { ProxyRoutes } from '../../engine/proxy/routes.js';
import { RuntimeApi } from '../../engine/proxy/runtime-api.js';
import { runtimeCommands } from '../../engine/proxy/runtime-commands.js';
import { type LoadResult, startLoad } from '../../src/demo/load.js';

const CLIENTS = 16;
const SWITCHES = 10;
const RUNS = 3;
/** After the new backend answers: how long both stay up before the old one is stopped. */
const DWELL_MS = 1000;
/** The old backend stays stopped this long before it is started again for the next switch. */
const STOPPED_MS = 300;
/** Bounds: the whole run, one step (start, switch, install), one load. */
const RUN_MS = 10 * 60_000;
const STEP_MS = 15_000;
const INSTALL_MS = 180_000;
const LOAD = { clients: CLIENTS, maxMs: 120_000, maxRequests: 2_000_000 };

type Name = 'A' | 'B';

interface Candidate {
  name: string;
  /** Starts the proxy in `dir` on `port`, sending to `ports[live]`. */
  start(dir: string, port: number, ports: Record<Name, number>, live: Name): Promise<void>;
  /** Switches every new request to `to`; resolves when the switch command has returned. */
  switchTo(to: Name): Promise<void>;
  /** Stops the proxy. */
  stop(): Promise<void>;
}

interface SwitchFigures {
  commandMs: number;
  /** From the command's start to the first answer from the new backend. */
  firstNewMs: number;
  /** Answers from the old backend to requests sent after the command returned, and the last one's time after it. */
  oldAnswers: number;
  oldSpanMs: number;
  /** Failures from the command's start until the old backend was stopped, and from then until the next switch. */
  failedAtSwitch: number;
  failedAtStop: number;
}

interface RunFigures {
  load: LoadResult;
  switches: SwitchFigures[];
}

// ---------------------------------------------------------------------------------------------
// processes and temp dirs: all tracked, all removed at the end

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const servers = new Set<http.Server>();

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: over its ${ms / 1000} s bound`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? STEP_MS, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message.split('\n')[0]}\n${stderr}`.trim()));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** Starts a long-running process, its output into `log`. */
function spawnLogged(cmd: string, args: string[], log: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const out = createWriteStream(log);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const late = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (late) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const s of servers) s.close(), s.closeAllConnections();
    servers.clear();
    await Promise.all([...children].map((c) => stopChild(c)));
    await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
    tempDirs.clear();
  })();
  return cleaning;
}

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Distinct free ports (a port just freed could be handed out twice). */
async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** One GET; resolves with status and body, or rejects. */
function get(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** Polls `url` until it answers 200 with `body`, within the step bound. */
async function waitForAnswer(url: string, body: string, what: string, child?: ChildProcess, log?: string): Promise<void> {
  const until = Date.now() + STEP_MS;
  let last = '';
  while (Date.now() < until) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) break;
    try {
      const r = await get(url, 1000);
      if (r.status === 200 && r.body === body) return;
      last = `${r.status} ${r.body.slice(0, 80)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(50);
  }
  const tail = log && existsSync(log) ? (await readFile(log, 'utf8')).split('\n').slice(-15).join('\n') : '';
  throw new Error(`${what} did not answer ${body} on ${url} (last: ${last})${tail ? `\n${tail}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// the backends: two node HTTP servers answering their name

class Backend {
  private server?: http.Server;
  constructor(
    readonly name: Name,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1 });
      res.end(this.name);
    });
    servers.add(server);
    await bounded(
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, '127.0.0.1', () => resolve());
      }),
      STEP_MS,
      `backend ${this.name} listen`,
    );
    this.server = server;
  }

  /** As greenci stops a drained release: no new connections, and the open ones closed. */
  stop(): void {
    const s = this.server;
    if (!s) return;
    s.close();
    s.closeAllConnections();
    servers.delete(s);
    this.server = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// the candidates

function haproxy(): Candidate {
  let child: ChildProcess | undefined;
  let api: RuntimeApi | undefined;
  let cfgPath = '';
  let socketPath = '';
  let routesFor: (to: Name) => ProxyRoutes = () => {
    throw new Error('not started');
  };
  const render = (routes: ProxyRoutes) => renderHaproxyConfig(routes).replace(`${PROXY_DIR_IN_CONTAINER}/${ADMIN_SOCKET}`, socketPath);
  return {
    name: 'HAProxy runtime API',
    async start(dir, port, ports, live) {
      cfgPath = path.join(dir, 'haproxy.cfg');
      socketPath = path.join(dir, ADMIN_SOCKET);
      const slot = (n: Name, to: Name) => ({ release: n, addr: '127.0.0.1', port: ports[n], weight: n === to ? 100 : 0 });
      // slot a holds A, slot b holds B, as greenci's releases take turns in the two slots
      routesFor = (to) => ({
        project: 'bench',
        bind: '127.0.0.1',
        apps: [{ app: 'be', listen: port, health: '/', slots: { a: slot('A', to), b: slot('B', to) } }],
      });
      // at first only the live slot is filled; the other is parked, as before greenci's first release
      const first: ProxyRoutes = routesFor(live);
      first.apps[0].slots = live === 'A' ? { a: first.apps[0].slots.a } : { b: first.apps[0].slots.b };
      await writeFile(cfgPath, render(first));
      const log = path.join(dir, 'haproxy.log');
      // as greenci's proxy container runs it: master-worker, in the foreground
      child = spawnLogged('/usr/sbin/haproxy', ['-W', '-db', '-f', cfgPath], log);
      await waitForAnswer(`http://127.0.0.1:${port}/`, live, 'haproxy', child, log);
      api = new RuntimeApi(socketPath, 3000);
      if (!(await api.ping())) throw new Error(`haproxy's runtime API does not answer on ${socketPath}`);
    },
    async switchTo(to) {
      if (!api) throw new Error('haproxy not started');
      // as greenci does: the whole config written first (a restarted proxy comes back the same), then the runtime commands
      const routes = routesFor(to);
      await writeFile(cfgPath, render(routes));
      await bounded(api.apply(runtimeCommands(routes)), STEP_MS, 'haproxy runtime switch');
    },
    async stop() {
      await stopChild(child);
      child = undefined;
    },
  };
}

function nginx(): Candidate {
  let child: ChildProcess | undefined;
  let dir = '';
  let port = 0;
  let ports: Record<Name, number> = { A: 0, B: 0 };
  const args = () => ['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  const conf = (to: Name) =>
    [
      'daemon off;',
      'master_process on;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${dir}/tmp/body;`,
      `  proxy_temp_path ${dir}/tmp/proxy;`,
      `  fastcgi_temp_path ${dir}/tmp/fastcgi;`,
      `  uwsgi_temp_path ${dir}/tmp/uwsgi;`,
      `  scgi_temp_path ${dir}/tmp/scgi;`,
      '  keepalive_timeout 15s;',
      `  upstream be { server 127.0.0.1:${ports[to]}; }`,
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    location / { proxy_pass http://be; }',
      '  }',
      '}',
      '',
    ].join('\n');
  return {
    name: 'nginx -s reload',
    async start(d, p, ps, live) {
      (dir = d), (port = p), (ports = ps);
      await run('mkdir', ['-p', path.join(dir, 'tmp')]);
      await writeFile(path.join(dir, 'nginx.conf'), conf(live));
      child = spawnLogged('/usr/sbin/nginx', args(), path.join(dir, 'nginx.out'));
      await waitForAnswer(`http://127.0.0.1:${port}/`, live, 'nginx', child, path.join(dir, 'error.log'));
    },
    async switchTo(to) {
      await writeFile(path.join(dir, 'nginx.conf'), conf(to));
      await run('/usr/sbin/nginx', [...args(), '-s', 'reload']);
    },
    async stop() {
      // SIGTERM to the master: a fast shutdown of it and its workers (old workers included)
      await stopChild(child);
      child = undefined;
    },
  };
}

function caddy(): Candidate {
  let child: ChildProcess | undefined;
  let adminPort = 0;
  let port = 0;
  let ports: Record<Name, number> = { A: 0, B: 0 };
  const config = (to: Name) => ({
    admin: { listen: `127.0.0.1:${adminPort}` },
    logging: { logs: { default: { level: 'WARN' } } },
    apps: {
      http: {
        servers: {
          bench: {
            listen: [`127.0.0.1:${port}`],
            automatic_https: { disable: true },
            routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: `127.0.0.1:${ports[to]}` }] }] }],
          },
        },
      },
    },
  });
  return {
    name: 'Caddy admin API /load',
    async start(dir, p, ps, live) {
      [adminPort] = await freePorts(1);
      while (adminPort === p || adminPort === ps.A || adminPort === ps.B) [adminPort] = await freePorts(1);
      (port = p), (ports = ps);
      const cfg = path.join(dir, 'caddy.json');
      await writeFile(cfg, JSON.stringify(config(live)));
      // its storage and autosave in the temp dir, not the user's home
      const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config') };
      const log = path.join(dir, 'caddy.log');
      child = spawnLogged('/usr/bin/caddy', ['run', '--config', cfg], log, env);
      await waitForAnswer(`http://127.0.0.1:${port}/`, live, 'caddy', child, log);
    },
    async switchTo(to) {
      const res = await bounded(
        fetch(`http://127.0.0.1:${adminPort}/load`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(config(to)),
        }),
        STEP_MS,
        'caddy /load',
      );
      const text = await res.text();
      if (!res.ok) throw new Error(`caddy /load answered ${res.status}: ${text.slice(0, 200)}`);
    },
    async stop() {
      await stopChild(child);
      child = undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// installing what is missing

async function ensureInstalled(binary: string, pkg: string): Promise<string> {
  if (existsSync(binary)) return `${pkg}: present`;
  if (process.getuid?.() !== 0) throw new Error(`${binary} is missing and installing ${pkg} needs root (apt-get install ${pkg})`);
  console.log(`${binary} is missing: installing ${pkg} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { timeoutMs: INSTALL_MS, env });
  const t0 = Date.now();
  try {
    await install();
  } catch {
    await run('apt-get', ['update', '-qq'], { timeoutMs: INSTALL_MS, env });
    await install();
  }
  if (!existsSync(binary)) throw new Error(`apt-get installed ${pkg} but ${binary} is still missing`);
  return `${pkg}: installed by this run with apt-get (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
}

async function versionOf(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args)).split('\n')[0].trim();
  } catch (err) {
    return `unknown (${(err as Error).message.split('\n')[0]})`;
  }
}

// ---------------------------------------------------------------------------------------------
// one run: 10 switches under load

async function oneRun(candidate: Candidate): Promise<RunFigures> {
  const dir = await tempDir(`greenci-bench-proxy-${candidate.name.split(' ')[0].toLowerCase()}-`);
  const [port, portA, portB] = await freePorts(3);
  const backends: Record<Name, Backend> = { A: new Backend('A', portA), B: new Backend('B', portB) };
  await backends.A.start();
  await backends.B.start();
  // per switch: from, command start and return, first new answer, when the old backend was stopped
  const windows: { from: Name; t0: number; t1: number; firstNewAt: number; stoppedAt: number }[] = [];
  try {
    await candidate.start(dir, port, { A: portA, B: portB }, 'A');
    const load = startLoad(`http://127.0.0.1:${port}/`, LOAD);
    let result: LoadResult;
    try {
      const warm = Date.now();
      await load.waitFor((s) => s.sent > warm + 1000, STEP_MS);
      let live: Name = 'A';
      for (let i = 0; i < SWITCHES; i++) {
        const to: Name = live === 'A' ? 'B' : 'A';
        const t0 = Date.now();
        await bounded(candidate.switchTo(to), STEP_MS, `${candidate.name}: switch ${i + 1}`);
        const t1 = Date.now();
        const firstNew = await load.waitFor((s) => s.sent >= t0 && s.status === 200 && s.body === to, STEP_MS);
        await sleep(DWELL_MS);
        backends[live].stop();
        windows.push({ from: live, t0, t1, firstNewAt: firstNew.at, stoppedAt: Date.now() });
        await sleep(STOPPED_MS);
        await backends[live].start();
        await sleep(STOPPED_MS);
        live = to;
      }
    } finally {
      result = await load.stop();
    }
    const switches = windows.map((w, i): SwitchFigures => {
      const next = windows[i + 1]?.t0 ?? Number.POSITIVE_INFINITY;
      const failedIn = (from: number, to: number) => result.failures.filter((f) => f.at >= from && f.at < to).length;
      // old answers: requests sent after the switch command returned that the old backend answered
      const old = result.samples.filter((s) => s.sent > w.t1 && s.sent < w.stoppedAt && s.status === 200 && s.body === w.from);
      return {
        commandMs: w.t1 - w.t0,
        firstNewMs: w.firstNewAt - w.t0,
        oldAnswers: old.length,
        oldSpanMs: old.length ? Math.max(...old.map((s) => s.at)) - w.t1 : 0,
        failedAtSwitch: failedIn(w.t0, w.stoppedAt),
        failedAtStop: failedIn(w.stoppedAt, next),
      };
    });
    return { load: result, switches };
  } finally {
    await candidate.stop();
    backends.A.stop();
    backends.B.stop();
    await rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

// ---------------------------------------------------------------------------------------------
// figures

function quantile(xs: number[], q: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}
const median = (xs: number[]) => quantile(xs, 0.5);
const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`);

function failureKinds(runs: RunFigures[]): string {
  const kinds = new Map<string, number>();
  for (const r of runs) for (const f of r.load.failures) kinds.set(f.error, (kinds.get(f.error) ?? 0) + 1);
  return [...kinds].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `proxy switch benchmark: ${CLIENTS} keep-alive clients, ${SWITCHES} switches × ${RUNS} runs per candidate, loopback; ` +
      `the old backend is stopped ${DWELL_MS} ms after the new one first answers, and started again ${STOPPED_MS} ms later`,
  );
  console.log(
    `host: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const installs = [
    await ensureInstalled('/usr/sbin/haproxy', 'haproxy'),
    await ensureInstalled('/usr/sbin/nginx', 'nginx-light'),
    await ensureInstalled('/usr/bin/caddy', 'caddy'),
  ];
  for (const line of installs) console.log(`  ${line}`);
  console.log(`  ${await versionOf('/usr/sbin/haproxy', ['-v'])}`);
  console.log(`  ${await versionOf('/usr/sbin/nginx', ['-v'])}`);
  console.log(`  caddy ${await versionOf('/usr/bin/caddy', ['version'])}`);

  const rows: { name: string; runs: RunFigures[] }[] = [];
  for (const candidate of [haproxy(), nginx(), caddy()]) {
    const runs: RunFigures[] = [];
    for (let r = 0; r < RUNS; r++) {
      const figures = await bounded(oneRun(candidate), 120_000, `${candidate.name} run ${r + 1}`);
      runs.push(figures);
      const sw = figures.switches;
      console.log(
        `${candidate.name}, run ${r + 1}: ${fmt(figures.load.samples.length + figures.load.failures.length)} requests, ` +
          `${figures.load.failures.length} failed, ${figures.load.non200} non-200, ` +
          `${sw.reduce((n, s) => n + s.oldAnswers, 0)} old answers, switch ${ms(median(sw.map((s) => s.commandMs)))} median`,
      );
    }
    rows.push({ name: candidate.name, runs });
  }

  console.log('');
  console.log(
    '| candidate | requests | failed (refused/reset/timed out) | per switch | non-200 | old answers after the command returned (most ms after) | switch command median / p95 | first new answer median |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { name, runs } of rows) {
    const sw = runs.flatMap((r) => r.switches);
    const requests = runs.reduce((n, r) => n + r.load.samples.length + r.load.failures.length, 0);
    const failed = runs.reduce((n, r) => n + r.load.failures.length, 0);
    const non200 = runs.reduce((n, r) => n + r.load.non200, 0);
    const old = sw.reduce((n, s) => n + s.oldAnswers, 0);
    const oldSpan = Math.max(0, ...sw.map((s) => s.oldSpanMs));
    const perRun = runs.map((r) => r.load.failures.length).join('/');
    console.log(
      `| ${name} | ${fmt(requests)} | ${fmt(failed)} (runs ${perRun}) | ${(failed / sw.length).toFixed(1)} | ${fmt(non200)} | ` +
        `${fmt(old)}${old ? ` (${ms(oldSpan)})` : ''} | ${ms(median(sw.map((s) => s.commandMs)))} / ${ms(
          quantile(
            sw.map((s) => s.commandMs),
            0.95,
          ),
        )} | ${ms(median(sw.map((s) => s.firstNewMs)))} |`,
    );
  }
  console.log('');
  for (const { name, runs } of rows) {
    const sw = runs.flatMap((r) => r.switches);
    const atSwitch = sw.reduce((n, s) => n + s.failedAtSwitch, 0);
    const atStop = sw.reduce((n, s) => n + s.failedAtStop, 0);
    console.log(
      `${name} failures: ${failureKinds(runs)}; ${atSwitch} from the switch command until the old backend stopped, ${atStop} after it stopped`,
    );
  }
  console.log(`whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const deadline = setTimeout(() => {
  console.error(`proxy switch benchmark: over its ${RUN_MS / 60_000}-minute bound; stopping`);
  void cleanup().finally(() => process.exit(2));
}, RUN_MS);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    console.error(`proxy switch benchmark: ${sig}; cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });

main()
  .then(async () => {
    await cleanup();
    clearTimeout(deadline);
  })
  .catch(async (err) => {
    console.error(`proxy switch benchmark failed: ${(err as Error).stack ?? err}`);
    await cleanup();
    clearTimeout(deadline);
    process.exitCode = 1;
  });
