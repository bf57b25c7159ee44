import { randomUUID } from 'node:crypto';
import type { EnvName } from '../../config/project-spec.js';
import type { GreenciConfig } from '../../config/schema.js';
import { scheduleJob, type ScheduledTask } from '../cron.js';
import type { DockerEvent, DockerPort } from '../docker/port.js';
import { LABEL } from '../docker/names.js';
import { describeError } from '../errors.js';
import type { EngineEvent } from '../events.js';
import type { HealthRecord, HealthTransitionRecord } from '../model.js';
import { httpGet } from '../pipeline/health.js';
import type { Snapshot } from '../state.js';
import type { Store } from '../store/index.js';
import { containerVerdict, healthUrl, httpVerdict, serviceKey, serviceTitle, stuckDetail, type Observation } from './checks.js';
import { decide } from './decide.js';
import { keepEventsOpen, type EventFeed } from './event-feed.js';
import type { HealthThresholds } from './health-state.js';

export interface MonitorOptions {
  docker: Pick<DockerPort, 'ping' | 'listContainers' | 'inspectContainer' | 'restartContainer' | 'events' | 'containerLogs'>;
  store: Store;
  config: () => GreenciConfig;
  snapshot: () => Snapshot;
  emit: (e: EngineEvent) => void;
  /** The daemon's webhook URL, checked as part of greenci itself (absent: not checked). */
  webhookUrl?: () => string | undefined;
  /** Listen to Docker's events for an immediate check (default true; false: polling only, for comparison). */
  dockerEvents?: boolean;
  /** What the monitor did that an operator should find in the log: restarts, skipped rounds, failed rounds, ticks missed. */
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface RoundResult {
  why: string;
  startedAt: number;
  ms: number;
  observed: number;
  transitions: HealthTransitionRecord[];
  alerts: HealthTransitionRecord[];
  healed: string[];
}

const ENVS: EnvName[] = ['production', 'test'];
/** After Docker reported a death the check agreed with, the second look comes this much later (not a whole interval). */
const CONFIRM_MS = 3000;
const CHECKED_ROLES = new Set(['app', 'service']);

/**
 * The monitoring service: on its schedule (and at once when Docker reports a container dying,
 * running out of memory or changing health) it checks every environment's apps and services and
 * greenci itself, moves each one's health state, stores the changes, announces them, restarts
 * what self-healing may restart, and hands the round's alerts over together. Rounds never overlap:
 * a tick during a round is skipped; an event during a round asks for one more after it. A death
 * Docker reported is confirmed by a second look 3 s later, so it is down (and alerted) then, not
 * a whole interval later.
 */
export class Monitor {
  private task?: ScheduledTask;
  private feed?: EventFeed;
  private readonly abort = new AbortController();
  private running?: Promise<RoundResult | undefined>;
  private again?: string;
  private stopped = false;
  /** Per container id: Docker's restart count at the last round (a rise is a crash Docker hid). */
  private readonly restarts = new Map<string, number>();
  /** Per key: when greenci last restarted its container. */
  private readonly healedAt = new Map<string, number>();
  /** Per environment: the deployment its checked set belongs to (a new one resets the set). */
  private readonly deploymentOf = new Map<string, number>();
  private scheduleText?: string;
  /** One monitor per data dir (a daemon, or a console without one): the others' rounds are skipped. */
  private readonly leaseToken = randomUUID();
  private confirmTimer?: NodeJS.Timeout;
  /** Figures for the curious: rounds run, ticks skipped because a round was still running. */
  readonly stats = { rounds: 0, skipped: 0, lastMs: 0 };

  constructor(private readonly o: MonitorOptions) {}

  start(): void {
    this.schedule();
    if (this.o.dockerEvents !== false) this.feed = keepEventsOpen({
      docker: this.o.docker,
      filters: { type: ['container'], event: ['die', 'oom', 'health_status'], label: [LABEL.project] },
      signal: this.abort.signal,
      onEvent: (e) => this.onDockerEvent(e),
      onOpen: () => undefined,
      onDown: () => undefined,
      backoffMs: { min: 1000, max: 30_000 },
    });
    void this.check('start');
  }

  /** A changed `monitor.schedule` (SIGHUP) takes effect here. */
  schedule(): void {
    const text = this.o.config().monitor.schedule;
    if (this.task && text === this.scheduleText) return;
    void this.task?.destroy();
    this.scheduleText = text;
    this.task = scheduleJob(text, () => void this.tick(), { name: 'monitor', log: this.o.log });
  }

  private tick(): Promise<unknown> {
    if (this.running) {
      this.stats.skipped++;
      return Promise.resolve();
    }
    return this.check('schedule');
  }

  private onDockerEvent(e: DockerEvent): void {
    if (!CHECKED_ROLES.has(e.Actor?.Attributes?.[LABEL.role] ?? '')) return;
    const action = (e.Action ?? '').split(':')[0];
    void this.check(`docker ${action} ${e.Actor?.Attributes?.name ?? ''}`.trim());
  }

  /** Runs a round now, or once more right after the one in progress. Resolves with this round (or the one in progress). */
  check(why: string): Promise<RoundResult | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.running) {
      this.again = why;
      return this.running;
    }
    this.running = this.round(why)
      .catch((err) => {
        this.o.log?.('error', `monitoring round failed: ${describeError(err)}`, { why });
        return undefined;
      })
      .then((r) => {
        // Docker said a container died and the check agrees: confirm soon rather than at the next tick
        if (r && r.why.startsWith('docker') && r.transitions.some((t) => t.to === 'degraded') && !this.stopped) {
          clearTimeout(this.confirmTimer);
          this.confirmTimer = setTimeout(() => void this.check('confirm'), CONFIRM_MS);
          this.confirmTimer.unref?.();
        }
        return r;
      })
      .finally(() => {
        this.running = undefined;
        const next = this.again;
        this.again = undefined;
        if (next && !this.stopped) void this.check(next);
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.confirmTimer);
    void this.task?.destroy();
    this.abort.abort();
    await this.running;
    await this.feed?.done;
    try {
      this.o.store.leases.release('monitor', this.leaseToken);
    } catch {
      // the store is closed already: the lease dies with this process
    }
  }

  private thresholds(): HealthThresholds {
    const m = this.o.config().monitor;
    return { degradedAfter: 1, downAfter: m.downAfter, recoverAfter: m.recoverAfter, flapLimit: m.flap.limit, flapWindowMs: m.flap.window };
  }

  private async round(why: string): Promise<RoundResult | undefined> {
    const startedAt = Date.now();
    const cfg = this.o.config();
    const lease = this.o.store.leases.tryAcquire('monitor', this.leaseToken, 'health monitoring');
    if (!lease.ok) {
      if (this.stats.rounds === 0 && this.stats.skipped++ === 0) this.o.log?.('info', `health monitoring is done by greenci process ${lease.holder.pid}; this one only shows it`);
      return undefined;
    }
    const observations: Observation[] = [];
    const known = new Map(this.o.store.health.all().map((h) => [h.key, h]));
    const retire = new Set<string>();

    const docker = await withTimeout(this.o.docker.ping(), cfg.monitor.timeout, 'the Docker engine did not answer')
      .then(() => ({ ok: true as const }))
      .catch((err: unknown) => ({ ok: false as const, detail: describeError(err) }));
    let dockerVerdict: Pick<Observation, 'ok' | 'detail'> = { ok: docker.ok, detail: docker.ok ? undefined : docker.detail };
    if (docker.ok) {
      // a Docker that answers its ping but hangs on container calls must not hang the monitor with it
      const deadline = Math.max(10_000, cfg.monitor.timeout * 5);
      const envs = await withTimeout(this.environmentObservations(cfg, known, retire), deadline, 'the Docker engine did not answer container calls').catch((err: unknown) => {
        dockerVerdict = { ok: false, detail: describeError(err) };
        return [];
      });
      observations.push(...envs);
    }
    observations.push({ key: 'greenci/docker', kind: 'greenci', title: 'greenci docker engine', ...dockerVerdict });

    observations.push(...(await this.selfObservations(cfg)));
    const stuck = this.stuckBuilds(cfg, startedAt);
    observations.push(...stuck);
    const stuckKeys = new Set(stuck.map((s) => s.key));
    for (const h of known.values()) {
      // checks of things no longer there: the webhook endpoint (a console without the daemon), a smee channel taken out of the config
      if (h.key === 'greenci/webhook' && !this.o.webhookUrl) retire.add(h.key);
      if (h.key.startsWith('greenci/smee/') && !cfg.projects[h.project ?? '']?.smee) retire.add(h.key);
      // a build that is no longer stuck (it finished or moved on): one passing check, then forgotten
      if (h.kind === 'build' && !stuckKeys.has(h.key)) observations.push({ key: h.key, kind: 'build', title: h.title, ok: true }), retire.add(h.key);
    }

    const result: RoundResult = { why, startedAt, ms: 0, observed: observations.length, transitions: [], alerts: [], healed: [] };
    const now = Date.now();
    for (const obs of observations) await this.apply(obs, known.get(obs.key), now, cfg, result);
    for (const key of retire) {
      if (this.o.store.health.remove(key)) this.o.emit({ type: 'health.removed', key });
      this.healedAt.delete(key);
    }
    if (result.alerts.length) this.o.emit({ type: 'health.alerts', alerts: result.alerts });
    result.ms = Date.now() - startedAt;
    this.stats.rounds++;
    this.stats.lastMs = result.ms;
    return result;
  }

  private async apply(obs: Observation, prev: HealthRecord | undefined, now: number, cfg: GreenciConfig, result: RoundResult): Promise<void> {
    const heal = cfg.monitor.heal;
    const enabled = obs.env !== undefined && (obs.kind === 'app' || obs.kind === 'service') && heal[obs.env];
    const coolingDown = now - (this.healedAt.get(obs.key) ?? 0) < heal.wait;
    const thresholds = obs.kind === 'build' ? { ...this.thresholds(), downAfter: 1, recoverAfter: 1 } : this.thresholds();
    const d = decide(prev, obs, now, thresholds, { enabled, maxRestarts: heal.maxRestarts, coolingDown });

    // a deployment may have taken the environment over since it was observed: never restart under it
    if (d.heal && obs.containerId && obs.project && obs.env && this.watchedDeployment(obs.project, obs.env) !== obs.deploymentId) {
      d.heal = false;
      d.next.healAttempts -= 1;
    }
    if (d.heal && obs.containerId) {
      this.healedAt.set(obs.key, now);
      const auditId = this.o.store.audit.record({ actor: 'greenci (monitor)', action: 'heal', project: obs.project, target: `${obs.env} ${obs.service}`, detail: { attempt: d.next.healAttempts, reason: obs.detail } });
      try {
        await withTimeout(this.o.docker.restartContainer(obs.containerId, 5), 30_000, 'Docker did not restart it');
        this.o.store.audit.setOutcome(auditId, `restarted (attempt ${d.next.healAttempts} of ${heal.maxRestarts})`);
        this.o.log?.('warn', `${obs.title} is down (${obs.detail}); restarted its container (attempt ${d.next.healAttempts} of ${heal.maxRestarts})`, { key: obs.key });
        result.healed.push(obs.key);
      } catch (err) {
        this.o.store.audit.setOutcome(auditId, `restart failed: ${describeError(err)}`);
        this.o.log?.('error', `${obs.title}: restarting its container failed: ${describeError(err)}`, { key: obs.key });
      }
    }

    if (d.transition) {
      // what a container printed last is what ops read first when it goes down
      const output = d.transition.to === 'down' && d.transition.alert && obs.containerId ? await withTimeout(this.o.docker.containerLogs(obs.containerId, 15), cfg.monitor.timeout, 'no logs').catch(() => []) : undefined;
      const stored = this.o.store.health.transition(d.next, { ...d.transition, output });
      result.transitions.push(stored);
      if (stored.alert) result.alerts.push(stored);
      this.o.emit({ type: 'health.updated', health: d.next, transition: stored });
    } else {
      this.o.store.health.save(d.next);
      if (d.changed) this.o.emit({ type: 'health.updated', health: d.next });
    }
  }

  /** Each monitored environment's apps and services. */
  private async environmentObservations(cfg: GreenciConfig, known: Map<string, HealthRecord>, retire: Set<string>): Promise<Observation[]> {
    const all = await this.o.docker.listContainers([LABEL.project]);
    const present = new Set(all.map((c) => c.Id));
    for (const id of this.restarts.keys()) if (!present.has(id)) this.restarts.delete(id);
    const out: Observation[] = [];
    const seen = new Set<string>();
    for (const project of Object.keys(cfg.projects)) {
      for (const env of ENVS) {
        const mine = [...known.values()].filter((h) => h.project === project && h.env === env && h.kind !== 'build');
        const watched = this.watchedDeployment(project, env);
        if (watched === 'busy') {
          // a deployment is changing this environment: its checks wait for it to finish
          for (const h of mine) seen.add(h.key);
          continue;
        }
        if (watched === undefined) {
          for (const h of mine) retire.add(h.key);
          continue;
        }
        const containers = all.filter((c) => c.Labels[LABEL.project] === project && c.Labels[LABEL.env] === env && CHECKED_ROLES.has(c.Labels[LABEL.role] ?? '') && c.Labels[LABEL.service]);
        const envKey = `${project}/${env}`;
        const fresh = this.deploymentOf.get(envKey) !== watched;
        this.deploymentOf.set(envKey, watched);
        const services = new Map(containers.map((c) => [c.Labels[LABEL.service], c]));
        // after a new deployment, what it left running is the set to watch; until the next one, a missing container is a failure
        const names = new Set([...services.keys(), ...(fresh ? [] : mine.map((h) => h.service!))]);
        for (const h of mine) if (!names.has(h.service!)) retire.add(h.key);
        await Promise.all(
          [...names].map(async (service) => {
            const key = serviceKey(project, env, service);
            seen.add(key);
            const c = services.get(service);
            const kind = (c?.Labels[LABEL.role] ?? known.get(key)?.kind ?? 'service') as 'app' | 'service';
            const base = { key, kind, project, env, service, title: serviceTitle(project, env, service), deploymentId: watched, fresh: fresh || undefined };
            if (!c) return void out.push({ ...base, ok: false, detail: 'its container is gone' });
            out.push({ ...base, containerId: c.Id, ...(await this.checkContainer(c.Id, kind, cfg.monitor.timeout)) });
          }),
        );
      }
    }
    // environments of projects no longer in the config
    for (const h of known.values()) if (h.env && !seen.has(h.key) && !cfg.projects[h.project ?? '']) retire.add(h.key);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /**
   * The deployment an environment's checks belong to: production while a release is live, the
   * test environment while its last deployment stands; `busy` while a build or a rollback holds
   * the environment's lock.
   */
  private watchedDeployment(project: string, env: EnvName): number | 'busy' | undefined {
    // whoever holds the environment's lock is changing it (a deploy, its tests, a promotion, a rollback)
    if (this.o.store.leases.holder(`${env}:${project}`)) return 'busy';
    const [last] = this.o.store.releases.deployments(project, env, 1);
    if (!last) return undefined;
    // still `running` with nobody holding the lock: its process died; the environment stands on nothing known
    if (last.status === 'running') return env === 'production' ? this.o.store.releases.deployments(project, env, 20).find((d) => d.status === 'success')?.id : undefined;
    if (env === 'production') {
      if (!this.o.store.releases.liveRelease(project)) return undefined;
      const [ok] = this.o.store.releases.deployments(project, env, 20).filter((d) => d.status === 'success');
      return ok?.id;
    }
    return last.status === 'success' && last.kind !== 'teardown' ? last.id : undefined;
  }

  private async checkContainer(id: string, kind: 'app' | 'service', timeoutMs: number): Promise<Pick<Observation, 'ok' | 'detail'>> {
    const info = await this.o.docker.inspectContainer(id);
    if (!info) return { ok: false, detail: 'its container is gone' };
    const before = this.restarts.get(id);
    this.restarts.set(id, info.RestartCount ?? 0);
    const verdict = containerVerdict(info, before);
    if (verdict.ok !== true || kind !== 'app') return verdict;
    const url = healthUrl(info);
    if (!url) return { ok: false, detail: 'no published port to check its health path on' };
    const answer = await httpGet(url, timeoutMs).catch((err: NodeJS.ErrnoException) => ({ error: err.code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : (err.code ?? err.message) }));
    return httpVerdict(answer, url);
  }

  /** greenci itself: its webhook endpoint answers, each smee channel is connected. */
  private async selfObservations(cfg: GreenciConfig): Promise<Observation[]> {
    const out: Observation[] = [];
    const url = this.o.webhookUrl?.();
    if (url) {
      const answer = await httpGet(url, cfg.monitor.timeout).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }));
      // any HTTP answer (405 to a GET) means it is listening
      out.push({ key: 'greenci/webhook', kind: 'greenci', title: 'greenci webhook endpoint', ok: !('error' in answer), detail: 'error' in answer ? `${url}: ${answer.error}` : undefined });
    }
    const smee = this.o.snapshot().smee;
    for (const [project, p] of Object.entries(cfg.projects)) {
      if (!p.smee) continue;
      const s = smee[project];
      // still connecting for the first time: no verdict yet
      const ok = s?.state === 'connected' ? true : s === undefined || (s.state === 'connecting' && Date.now() - s.since < 30_000) ? undefined : false;
      out.push({ key: `greenci/smee/${project}`, kind: 'greenci', project, title: `greenci smee relay of ${project}`, ok, detail: ok === false ? `${s?.state}${s?.detail ? `: ${s.detail}` : ''}` : undefined });
    }
    return out;
  }

  private stuckBuilds(cfg: GreenciConfig, now: number): Observation[] {
    return this.o.store.builds
      .claimed()
      .filter((b) => b.status === 'running' && b.startedAt !== undefined && now - b.startedAt > cfg.monitor.stuckAfter)
      .map((b) => ({ key: `greenci/build-${b.id}`, kind: 'build' as const, project: b.project, title: `greenci build #${b.id} (${b.project} ${b.branch})`, ok: false, detail: stuckDetail(b, now) }));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
