/**
 * Benchmark: signed GitHub `push` deliveries accepted (and, for greenci, persisted) per second,
 * with p50/p99 latency, against greenci's daemon webhook endpoint and, in the same run, against
 * the Debian `webhook` package (adnanh/webhook) verifying the same X-Hub-Signature-256 and
 * running /bin/true. Order: greenci, peer, greenci again (so ordering bias shows). Prints
 * figures; asserts nothing about timing.
 *
 *   npx tsx test/bench/webhook-intake.ts [--requests 2000] [--concurrency 16] [--warmup 100]
 *                                        [--branches same|unique] [--runner auto|tsx|dist] [--max-seconds 300]
 *   (or BENCH_REQUESTS, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_BRANCHES, BENCH_RUNNER, BENCH_MAX_SECONDS)
 *
 * --branches same (default): every push is to the template's branch (master), so each one
 * supersedes the previous queued build and the queue stays short. --branches unique: push i goes
 * to refs/heads/bench-<i>, so every delivery leaves a queued build behind (a growing backlog).
 * Either way the daemon's queue runs (queue.parallel 1): builds are claimed and fail at checkout,
 * because the bench's bare repository is empty. That work competes for the same two cores.
 *
 * --runner dist runs the built daemon, `node dist/src/bin.js` (what production runs; build it
 * first: npm run build; BENCH_NODE_ARGS adds node flags, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * --runner tsx runs it from source (`tsx src/bin.ts`): slower (a bigger process, so every child
 * process it spawns costs more). --runner auto (default): dist when it is newer than every source
 * file, else tsx (and says why).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** A real recorded GitHub push delivery (drone/go-scm's testdata; see test/fixtures/github-payloads/SOURCES.md). */
const TEMPLATE = path.join(ROOT, 'test/fixtures/github-payloads/drone-go-scm/push.json');
const PEER_HOOKS = path.join(ROOT, 'test/bench/webhook-peer/hooks.json');

const { values: argv } = parseArgs({
  options: {
    requests: { type: 'string', short: 'n' },
    concurrency: { type: 'string', short: 'c' },
    warmup: { type: 'string' },
    branches: { type: 'string' },
    runner: { type: 'string' },
    'max-seconds': { type: 'string' },
  },
});
const num = (v: string | undefined, env: string, dflt: number) => {
  const n = Number(v ?? process.env[env] ?? dflt);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${env}: want a positive integer, got ${v ?? process.env[env]}`);
  return n;
};
const REQUESTS = num(argv.requests, 'BENCH_REQUESTS', 2000);
const CONCURRENCY = num(argv.concurrency, 'BENCH_CONCURRENCY', 16);
const WARMUP = num(argv.warmup, 'BENCH_WARMUP', 100);
const BRANCHES = (argv.branches ?? process.env.BENCH_BRANCHES ?? 'same') as 'same' | 'unique';
const RUNNER_ASKED = (argv.runner ?? process.env.BENCH_RUNNER ?? 'auto') as 'auto' | 'tsx' | 'dist';
/** A measured run stops sending after this long (and says so): a target that slows down as its backlog grows must not hang the bench. */
const MAX_SECONDS = num(argv['max-seconds'], 'BENCH_MAX_SECONDS', 300);
if (!['same', 'unique'].includes(BRANCHES)) throw new Error('--branches: same or unique');
if (!['auto', 'tsx', 'dist'].includes(RUNNER_ASKED)) throw new Error('--runner: auto, tsx or dist');

const SECRET = randomBytes(24).toString('hex');

// ---------------------------------------------------------------------------------------------
// deliveries

interface Delivery {
  id: string;
  body: Buffer;
  signature: string;
}

const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as Record<string, unknown> & {
  ref: string;
  repository: { full_name: string };
  head_commit?: { id: string };
};
const REPOSITORY = template.repository.full_name;
let serial = 0;

const sign = (body: Buffer | string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A fresh push: unique `after` (and head commit id), unique delivery id, signed. Built before the clock starts. */
function delivery(): Delivery {
  const i = serial++;
  const after = randomBytes(20).toString('hex');
  const payload = {
    ...template,
    ref: BRANCHES === 'unique' ? `refs/heads/bench-${i}` : template.ref,
    after,
    head_commit: template.head_commit ? { ...template.head_commit, id: after } : undefined,
  };
  const body = Buffer.from(JSON.stringify(payload));
  return { id: randomUUID(), body, signature: sign(body) };
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** `signature` null sends none. */
function post(agent: http.Agent | undefined, url: URL, d: Delivery, signature: string | null = d.signature): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': d.body.length,
      'x-github-event': 'push',
      'x-github-delivery': d.id,
      'user-agent': 'GitHub-Hookshot/bench',
    };
    if (signature) headers['x-hub-signature-256'] = signature;
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: Number(process.hrtime.bigint() - t0) / 1e6,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(d.body);
  });
}

/** Set by Ctrl-C / SIGTERM: the load stops and the finally block cleans up. */
let interrupted = false;

interface RunResult {
  target: string;
  /** Requests answered or failed (fewer than sent when the time limit or Ctrl-C stopped the run). */
  requests: number;
  stopped?: string;
  concurrency: number;
  wallMs: number;
  latencies: number[];
  errors: number;
  statuses: Map<string, number>;
  ids: string[];
}

/** Sends `deliveries` with `concurrency` requests in flight over keep-alive connections. */
async function load(target: string, url: URL, deliveries: Delivery[], concurrency: number, maxMs = Infinity): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let errors = 0;
  let next = 0;
  let stopped: string | undefined;
  const deadline = performance.now() + maxMs;
  const worker = async () => {
    for (;;) {
      if (interrupted) stopped ??= 'interrupted';
      if (performance.now() > deadline) stopped ??= `time limit of ${maxMs / 1000}s`;
      if (stopped) return;
      const i = next++;
      if (i >= deliveries.length) return;
      try {
        const r = await post(agent, url, deliveries[i]);
        latencies.push(r.ms);
        statuses.set(String(r.status), (statuses.get(String(r.status)) ?? 0) + 1);
        if (r.status < 200 || r.status > 299) errors++;
      } catch (err) {
        errors++;
        const key = (err as NodeJS.ErrnoException).code ?? 'error';
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, deliveries.length) }, worker));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  agent.destroy();
  const sent = Math.min(next, deliveries.length);
  if (interrupted) throw new Error('interrupted');
  return {
    target,
    requests: sent,
    stopped,
    concurrency,
    wallMs,
    latencies,
    errors,
    statuses,
    ids: deliveries.slice(0, sent).map((d) => d.id),
  };
}

async function measure(target: string, url: URL): Promise<RunResult> {
  await load(`${target} (warm-up)`, url, Array.from({ length: WARMUP }, delivery), CONCURRENCY);
  const deliveries = Array.from({ length: REQUESTS }, delivery);
  const r = await load(target, url, deliveries, CONCURRENCY, MAX_SECONDS * 1000);
  const statuses = [...r.statuses].map(([s, n]) => `${s}×${n}`).join(', ');
  process.stdout.write(
    `  ${target}: ${r.requests} requests in ${(r.wallMs / 1000).toFixed(2)}s; statuses ${statuses}${r.stopped ? `; STOPPED EARLY (${r.stopped}) after ${r.requests} of ${REQUESTS}` : ''}\n`,
  );
  return r;
}

/** Nearest-rank percentile. */
function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// ---------------------------------------------------------------------------------------------
// processes

/** Newest mtime of the daemon's sources (what `tsc -p tsconfig.json` compiles). */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['src', 'engine', 'config', 'views']) {
    for (const f of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (/\.tsx?$/.test(f)) newest = Math.max(newest, statSync(path.join(ROOT, dir, f)).mtimeMs);
    }
  }
  return newest;
}

function pickRunner(): { runner: 'tsx' | 'dist'; why: string } {
  if (RUNNER_ASKED !== 'auto') return { runner: RUNNER_ASKED, why: `--runner ${RUNNER_ASKED}` };
  const built = path.join(ROOT, 'dist/src/commands/daemon.js');
  if (!existsSync(built)) return { runner: 'tsx', why: 'no dist/src/commands/daemon.js (npm run build for the built daemon)' };
  const builtAt = Math.min(statSync(built).mtimeMs, statSync(path.join(ROOT, 'dist/src/bin.js')).mtimeMs);
  if (newestSource() > builtAt) return { runner: 'tsx', why: 'dist/ is older than the sources (npm run build for the built daemon)' };
  return { runner: 'dist', why: 'dist/ is up to date' };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 25 ms until it returns true; throws after `timeoutMs` or when `alive()` says the process died. */
async function poll(what: string, check: () => Promise<boolean>, alive: () => string | undefined, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${what}: ${dead}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
async function stop(child: ChildProcess | undefined, graceMs: number): Promise<string> {
  if (!child || child.pid === undefined) return 'not started';
  if (child.exitCode !== null || child.signalCode !== null)
    return `had already exited (code ${child.exitCode}, signal ${child.signalCode})`;
  const t0 = Date.now();
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
  const r = await Promise.race([exited(child), killed]);
  clearTimeout(timer);
  if (r === 'late') {
    child.kill('SIGKILL');
    const k = await exited(child);
    return `did not exit within ${graceMs} ms of SIGTERM; killed (code ${k.code}, signal ${k.signal})`;
  }
  return `exit code ${r.code}${r.signal ? `, signal ${r.signal}` : ''} after ${Date.now() - t0} ms`;
}

function ensurePeerInstalled(): string {
  const which = () => spawnSync('which', ['webhook'], { encoding: 'utf8' });
  let w = which();
  if (w.status !== 0) {
    process.stdout.write('webhook (adnanh/webhook) not installed: apt-get install -y webhook\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_SUSPEND: '1' };
    let r = spawnSync('apt-get', ['install', '-y', '-q', 'webhook'], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '-q', 'webhook'], { stdio: 'inherit', env });
    }
    w = which();
    if (w.status !== 0) throw new Error('could not install the `webhook` package (apt-get install -y webhook)');
  }
  const bin = w.stdout.trim();
  const version = spawnSync(bin, ['-version'], { encoding: 'utf8' }).stdout.trim();
  return `${bin} (${version})`;
}

interface Peer {
  child: ChildProcess;
  url: URL;
  stderr: () => string;
}

async function startPeer(): Promise<Peer> {
  const port = await freePort();
  const child = spawn(
    'webhook',
    ['-hooks', PEER_HOOKS, '-template', '-ip', '127.0.0.1', '-port', String(port), '-nopanic', '-http-methods', 'POST'],
    {
      env: { ...process.env, BENCH_WEBHOOK_SECRET: SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  // webhook answers `GET /` with 200 OK once it listens
  await poll(
    'webhook (peer)',
    () =>
      new Promise((resolve) =>
        http.get(`${base}/`, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)),
      ),
    () => (child.exitCode !== null || child.signalCode !== null ? `exited (code ${child.exitCode}): ${err}` : undefined),
  );
  return { child, url: new URL(`${base}/hooks/push`), stderr: () => err };
}

interface Greenci {
  child: ChildProcess;
  url: URL;
  dataDir: string;
  stdoutTail: () => string[];
  counts: () => { errorLines: number; fatalLines: number; lines: number };
}

async function startGreenci(tmp: string, runner: 'tsx' | 'dist'): Promise<Greenci> {
  const repo = path.join(tmp, 'origin.git');
  const git = spawnSync('git', ['init', '--quiet', '--bare', repo], { encoding: 'utf8' });
  if (git.status !== 0) throw new Error(`git init --bare failed: ${git.stderr}`);
  const dataDir = path.join(tmp, 'data');
  const configFile = path.join(tmp, 'greenci.yml');
  writeFileSync(
    configFile,
    [
      `dataDir: ${JSON.stringify(dataDir)}`,
      'webhook:',
      '  listen: 127.0.0.1:0',
      '  path: /webhook',
      'queue:',
      '  parallel: 1',
      'reconcile:',
      '  schedule: "0 0 1 1 *"',
      'daemon:',
      '  shutdownGraceSeconds: 5',
      'projects:',
      '  bench:',
      `    repo: ${JSON.stringify(repo)}`,
      `    github: ${JSON.stringify(REPOSITORY)}`,
      '    webhookSecretEnv: BENCH_WEBHOOK_SECRET',
      '',
    ].join('\n'),
  );
  let cmd: string;
  let args: string[];
  if (runner === 'dist') {
    if (!existsSync(path.join(ROOT, 'dist/src/commands/daemon.js')))
      throw new Error('--runner dist: dist/src/commands/daemon.js missing; run npm run build first');
    cmd = process.execPath;
    // BENCH_NODE_ARGS: extra node flags for the daemon, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    args = [...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), 'dist/src/bin.js', 'daemon', '--config', configFile];
  } else {
    cmd = path.join(ROOT, 'node_modules/.bin/tsx');
    args = ['src/bin.ts', 'daemon', '--config', configFile];
  }
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_WEBHOOK_SECRET: SECRET };
  delete env.GREENCI_CONFIG;
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const tail: string[] = [];
  let lines = 0;
  let errorLines = 0;
  let fatalLines = 0;
  let address: string | undefined;
  let ready = false;
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    lines++;
    tail.push(line);
    if (tail.length > 20) tail.shift();
    try {
      const o = JSON.parse(line) as { msg?: string; webhook?: string; level?: string };
      if (typeof o.webhook === 'string') address = o.webhook;
      if (o.msg?.includes('greenci daemon ready')) ready = true;
      if (o.level === 'error') errorLines++;
      if (o.level === 'fatal') fatalLines++;
    } catch {
      /* not JSON */
    }
  });
  await poll(
    'greenci daemon',
    async () => ready,
    () =>
      child.exitCode !== null || child.signalCode !== null
        ? `exited (code ${child.exitCode}) before it was ready:\n${tail.join('\n')}\n${stderr}`
        : undefined,
    60_000,
  );
  if (!address) throw new Error(`greenci daemon ready but no log line named its webhook address:\n${tail.join('\n')}`);
  return {
    child,
    url: new URL(`http://${address}/webhook`),
    dataDir,
    stdoutTail: () => tail,
    counts: () => ({ lines, errorLines, fatalLines }),
  };
}

/** A correct signature is taken, a wrong or missing one refused: else the figures mean nothing. */
async function signatureCheck(name: string, url: URL, okStatus: number): Promise<void> {
  const right = await post(undefined, url, delivery());
  const d = delivery();
  const wrong = await post(undefined, url, d, sign(d.body, `${SECRET}-not`));
  const none = await post(undefined, url, delivery(), null);
  const short = (r: Reply) => `${r.status} ${JSON.stringify(r.body.trim().slice(0, 70))}`;
  process.stdout.write(`  ${name}: right signature → ${short(right)}; wrong signature → ${short(wrong)}; no signature → ${short(none)}\n`);
  const refused = (r: Reply) => r.status >= 400;
  if (right.status !== okStatus || !refused(wrong) || !refused(none)) {
    throw new Error(`${name} signature check failed: want ${okStatus} for the right signature and 4xx/5xx for a wrong or missing one`);
  }
}

// ---------------------------------------------------------------------------------------------
// persistence

interface Persisted {
  found: number;
  outcomes: Map<string, number>;
  builds: Map<string, number>;
}

function persisted(dataDir: string, ids: string[]): Persisted {
  const db = new Database(path.join(dataDir, 'greenci.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT d.id, d.outcome, b.status AS build, b.superseded_by FROM deliveries d LEFT JOIN builds b ON b.id = d.build_id')
      .all() as {
      id: string;
      outcome: string;
      build: string | null;
      superseded_by: number | null;
    }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const outcomes = new Map<string, number>();
    const builds = new Map<string, number>();
    let found = 0;
    for (const id of ids) {
      const r = byId.get(id);
      if (!r) continue;
      found++;
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      const b = r.build ? (r.superseded_by ? 'superseded' : r.build) : 'none';
      builds.set(b, (builds.get(b) ?? 0) + 1);
    }
    return { found, outcomes, builds };
  } finally {
    db.close();
  }
}

function allBuilds(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'greenci.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        "SELECT CASE WHEN superseded_by IS NOT NULL THEN 'superseded' ELSE status END AS s, COUNT(*) AS n FROM builds GROUP BY s ORDER BY s",
      )
      .all() as { s: string; n: number }[];
    const d = db.prepare('SELECT COUNT(*) AS n FROM deliveries').get() as { n: number };
    return `${d.n} deliveries stored; builds: ${rows.map((r) => `${r.s} ${r.n}`).join(', ') || 'none'}`;
  } finally {
    db.close();
  }
}

const fmtMap = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ${n}`).join(', ');

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'greenci-bench-intake-'));
  let greenci: Greenci | undefined;
  let peer: Peer | undefined;
  // Ctrl-C / SIGTERM: stop the load, then let the finally block stop the servers and remove the temp dir
  const onSignal = () => void (interrupted = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    process.stdout.write(
      `webhook intake bench: ${REQUESTS} requests at concurrency ${CONCURRENCY} (after ${WARMUP} warm-up), ${os.cpus().length} CPUs, node ${process.version}\n`,
    );
    process.stdout.write(
      `payload: ${path.basename(TEMPLATE)} (${REPOSITORY}), ${delivery().body.length} bytes signed; branches: ${BRANCHES === 'same' ? template.ref : 'refs/heads/bench-<i>'}\n`,
    );
    process.stdout.write(`peer: ${ensurePeerInstalled()}\n`);

    const { runner, why } = pickRunner();
    greenci = await startGreenci(tmp, runner);
    process.stdout.write(
      `greenci daemon (${runner === 'dist' ? 'node dist/src/bin.js' : 'tsx src/bin.ts'}: ${why}) ready, pid ${greenci.child.pid}, webhook ${greenci.url}\n`,
    );
    peer = await startPeer();
    process.stdout.write(`webhook peer ready, pid ${peer.child.pid}, hook ${peer.url}\n`);

    process.stdout.write('signature checks:\n');
    await signatureCheck('greenci', greenci.url, 202);
    await signatureCheck('peer   ', peer.url, 200);

    process.stdout.write('runs:\n');
    const runs: { name: string; r: RunResult; persisted?: string }[] = [];
    const greenciRun = async (name: string) => {
      const r = await measure(name, greenci!.url);
      const p = persisted(greenci!.dataDir, r.ids);
      const line = `deliveries persisted: ${p.found} of ${r.requests} (outcomes: ${fmtMap(p.outcomes)}; their builds: ${fmtMap(p.builds)})`;
      process.stdout.write(`  ${name}: ${line}\n`);
      runs.push({ name, r, persisted: `${p.found}/${r.requests}` });
    };
    await greenciRun('greenci #1');
    runs.push({ name: 'webhook peer', r: await measure('webhook peer', peer.url) });
    await greenciRun('greenci #2');

    const { lines, errorLines, fatalLines } = greenci.counts();
    process.stdout.write(`greenci store after the runs: ${allBuilds(greenci.dataDir)}\n`);
    process.stdout.write(
      `greenci log: ${lines} lines, ${errorLines} at level error, ${fatalLines} fatal; daemon still running: ${greenci.child.exitCode === null && greenci.child.signalCode === null}\n`,
    );

    const head = ['target', 'requests', 'concurrency', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'persisted'];
    const table = runs.map(({ name, r, persisted: p }) => [
      name,
      `${r.requests}${r.stopped ? '*' : ''}`,
      String(r.concurrency),
      (r.requests / (r.wallMs / 1000)).toFixed(0),
      percentile(r.latencies, 50).toFixed(2),
      percentile(r.latencies, 99).toFixed(2),
      String(r.errors),
      p ?? 'n/a',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    process.stdout.write(`\n${row(head)}\n${row(widths.map((w) => '-'.repeat(w)))}\n${table.map(row).join('\n')}\n`);
    process.stdout.write(
      '(greenci: 202 = verified, stored with its queued build; peer: 200 = verified, /bin/true started, nothing stored)\n',
    );
    if (runs.some(({ r }) => r.stopped))
      process.stdout.write(`* stopped at the time limit (--max-seconds ${MAX_SECONDS}) before all ${REQUESTS} requests were sent\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const g = await stop(greenci?.child, 60_000);
    const p = await stop(peer?.child, 10_000);
    process.stdout.write(`\ncleanup: greenci daemon ${g}; webhook peer ${p}\n`);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  if (interrupted) return void (process.stderr.write('webhook intake bench interrupted\n'), (process.exitCode = 130));
  process.stderr.write(`webhook intake bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
