import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../../engine/index.js';
import { type Listening, listen } from '../../engine/http-listen.js';
import { isFinished, type TrafficView } from '../../engine/model.js';
import { registerDiskMetrics } from './disk-metrics.js';

/**
 * Prometheus metrics (prom-client), fed by engine events: deliveries by outcome, queue depth,
 * build and stage durations, deployments and rollbacks by outcome, environment health (the
 * result of the latest deployment of each environment, until monitoring measures more); and, read
 * at scrape time, the front proxy's requests and 5xx answers per production app and release, and
 * a running canary's weight.
 */
export function createMetrics(engine: Engine): { registry: Registry; stop(): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'greenci_process_' });
  const deliveries = new Counter({
    name: 'greenci_webhook_deliveries_total',
    help: 'Webhook deliveries by outcome (queued, ping, duplicate, rejected-401, ...)',
    labelNames: ['outcome', 'via'],
    registers: [registry],
  });
  const builds = new Histogram({
    name: 'greenci_build_duration_seconds',
    help: 'Build durations by project and result',
    labelNames: ['project', 'status'],
    buckets: [5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'greenci_stage_duration_seconds',
    help: 'Stage durations by stage and result',
    labelNames: ['stage', 'status'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const deployments = new Counter({
    name: 'greenci_deployments_total',
    help: 'Deployments (deploy, promote, rollback, auto-rollback, restore, stop, teardown) by outcome',
    labelNames: ['project', 'env', 'kind', 'status'],
    registers: [registry],
  });
  const rollbacks = new Counter({
    name: 'greenci_rollbacks_total',
    help: 'Manual and automatic rollbacks by outcome',
    labelNames: ['project', 'kind', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'greenci_queue_depth',
    help: 'Builds waiting in the queue',
    labelNames: ['project'],
    registers: [registry],
    collect() {
      this.reset();
      const depth = engine.queueDepth();
      for (const project of new Set([...Object.keys(engine.config.projects), ...Object.keys(depth)]))
        this.set({ project }, depth[project] ?? 0);
    },
  });
  new Gauge({
    name: 'greenci_builds_running',
    help: 'Builds running now',
    registers: [registry],
    collect() {
      this.set(engine.getSnapshot().builds.filter((b) => b.status === 'running').length);
    },
  });
  new Gauge({
    name: 'greenci_environment_healthy',
    help: '1 when the latest deployment of an environment succeeded',
    labelNames: ['project', 'env'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [project, envs] of Object.entries(engine.getSnapshot().environments)) {
        for (const env of ['test', 'production'] as const) {
          const d = envs[env];
          if (d && d.status !== 'running')
            this.set({ project, env }, d.status === 'success' && d.kind !== 'stop' && d.kind !== 'teardown' ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'greenci_smee_connected',
    help: '1 while a smee channel is connected',
    labelNames: ['project'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [project, s] of Object.entries(engine.getSnapshot().smee)) this.set({ project }, s.state === 'connected' ? 1 : 0);
    },
  });

  // one read of every project's traffic per scrape, shared by the gauges that show it (prom-client collects them all at once)
  let reading: { at: number; traffic: Promise<TrafficView[]> } | undefined;
  const trafficNow = (): Promise<TrafficView[]> => {
    if (!reading || Date.now() - reading.at > 1000) {
      const projects = Object.keys(engine.config.projects);
      // a project whose proxy cannot be read (Docker not answering) has no series this scrape, rather than failing the scrape
      const traffic = Promise.all(projects.map((p) => engine.traffic(p).catch(() => undefined))).then((all) =>
        all.filter((t): t is TrafficView => !!t && t.proxy !== 'none'),
      );
      reading = { at: Date.now(), traffic };
    }
    return reading.traffic;
  };
  const perRelease = (pick: (c: TrafficView['apps'][number]['counts'][number]) => number) =>
    async function (this: Gauge<'project' | 'app' | 'release'>) {
      const traffic = await trafficNow();
      this.reset();
      for (const t of traffic) {
        if (t.proxy !== 'running') continue;
        for (const a of t.apps) {
          const sums = new Map<string, number>();
          for (const c of a.counts) sums.set(c.release, (sums.get(c.release) ?? 0) + pick(c));
          for (const [release, n] of sums) this.set({ project: t.project, app: a.app, release }, n);
        }
      }
    };
  new Gauge({
    name: 'greenci_proxy_requests',
    help: "Requests the front proxy sent to a production app's release since it began counting (read at scrape time)",
    labelNames: ['project', 'app', 'release'],
    registers: [registry],
    collect: perRelease((c) => c.requests),
  });
  new Gauge({
    name: 'greenci_proxy_responses_5xx',
    help: "5xx answers the front proxy counted from a production app's release since it began counting (read at scrape time)",
    labelNames: ['project', 'app', 'release'],
    registers: [registry],
    collect: perRelease((c) => c.errors5xx),
  });
  new Gauge({
    name: 'greenci_proxy_up',
    help: "1 while a project's front proxy answers, 0 when it is down (no series before production first went through it)",
    labelNames: ['project'],
    registers: [registry],
    async collect() {
      const traffic = await trafficNow();
      this.reset();
      for (const t of traffic) this.set({ project: t.project }, t.proxy === 'running' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'greenci_canary_weight',
    help: "The percentage of production's requests a running canary release takes (no series when none runs)",
    labelNames: ['project', 'release'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of Object.values(engine.getSnapshot().canaries ?? {}))
        if (!c.outcome) this.set({ project: c.project, release: c.version }, c.weight);
    },
  });

  registerDiskMetrics(registry, engine);

  const seen = new Set<string>();
  const stop = engine.subscribe((e) => {
    if (e.type === 'delivery') {
      const outcome = e.status >= 400 && e.status !== 404 ? `rejected-${e.status}` : (e.delivery.outcome ?? `answered-${e.status}`);
      deliveries.inc({ outcome, via: e.delivery.via ?? 'direct' });
    } else if (
      e.type === 'build.updated' &&
      isFinished(e.build.status) &&
      e.build.startedAt &&
      e.build.finishedAt &&
      !seen.has(`b${e.build.id}`)
    ) {
      seen.add(`b${e.build.id}`);
      builds.observe({ project: e.build.project, status: e.build.status }, (e.build.finishedAt - e.build.startedAt) / 1000);
    } else if (e.type === 'stage.updated' && e.stage.startedAt && e.stage.finishedAt && isFinished(e.stage.status)) {
      stages.observe({ stage: e.stage.name, status: e.stage.status }, (e.stage.finishedAt - e.stage.startedAt) / 1000);
    } else if (e.type === 'deployment.updated' && e.deployment.status !== 'running') {
      const d = e.deployment;
      deployments.inc({ project: d.project, env: d.env, kind: d.kind, status: d.status });
      if (d.kind === 'rollback' || d.kind === 'auto-rollback') rollbacks.inc({ project: d.project, kind: d.kind, status: d.status });
    }
    if (seen.size > 10_000) seen.clear();
  });
  return { registry, stop };
}

/** `GET /metrics` on a loopback address. */
export async function startMetricsServer(registry: Registry, at: string): Promise<Listening> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end('metrics are at /metrics\n');
    registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((err: Error) => res.writeHead(500).end(err.message));
  });
  return listen(server, { listen: at }, 'all');
}
