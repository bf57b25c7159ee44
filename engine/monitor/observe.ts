import type { EnvName } from '../../config/project-spec.js';
import type { GreenciConfig } from '../../config/schema.js';
import type { DockerPort } from '../docker/port.js';
import { LABEL } from '../docker/names.js';
import { describeError } from '../errors.js';
import { httpGet } from '../http-probe.js';
import type { HealthRecord } from '../model.js';
import type { Snapshot } from '../state.js';
import type { Store } from '../store/index.js';
import { watchedDeployment } from '../store/watched-deployment.js';
import { withTimeout } from '../time.js';
import { containerVerdict, healthUrl, httpVerdict, serviceKey, serviceTitle, stuckDetail, type Observation } from './checks.js';
import { DiskCheck } from './disk-check.js';
import { githubReporting } from '../github/reporting.js';
import { githubVerdict } from '../github/reporting-verdict.js';

export interface ObserverOptions {
  docker: Pick<DockerPort, 'ping' | 'listContainers' | 'inspectContainer' | 'dataRoot'>;
  store: Pick<Store, 'leases' | 'releases' | 'builds' | 'github'>;
  snapshot: () => Snapshot;
  /** The daemon's webhook URL, checked as part of greenci itself (absent: not checked). */
  webhookUrl?: () => string | undefined;
}

/** What one round saw, and the checks it found no longer there (forgotten after this round). */
export interface Sighting {
  observations: Observation[];
  retire: Set<string>;
}

const ENVS: EnvName[] = ['production', 'test'];
/** The containers the monitor checks (and whose Docker events ask for a round). */
/** `proxy`: production's front proxy, checked like a service. */
export const CHECKED_ROLES = new Set(['app', 'service', 'proxy']);

/**
 * What each check sees in one round: every monitored environment's apps and services (Docker's
 * verdict, then an app's health path), greenci itself (the Docker engine, the webhook endpoint,
 * each smee relay, the free disk space: disk-check.ts) and builds running too long. It remembers between rounds only what a look
 * needs: Docker's restart counts and the deployment each environment's checked set belongs to.
 */
export class Observer {
  /** Per container id: Docker's restart count at the last round (a rise is a crash Docker hid). */
  private readonly restarts = new Map<string, number>();
  /** Per environment: the deployment its checked set belongs to (a new one resets the set). */
  private readonly deploymentOf = new Map<string, number>();
  private readonly disk: DiskCheck;

  constructor(private readonly o: ObserverOptions) {
    this.disk = new DiskCheck(o.docker);
  }

  /** Everything a round checks, given the records kept so far (`known`) and when the round started. */
  async observe(cfg: GreenciConfig, known: Map<string, HealthRecord>, startedAt: number): Promise<Sighting> {
    const observations: Observation[] = [];
    const retire = new Set<string>();

    const docker = await withTimeout(this.o.docker.ping(), cfg.monitor.timeout, 'the Docker engine did not answer')
      .then(() => ({ ok: true as const }))
      .catch((err: unknown) => ({ ok: false as const, detail: describeError(err) }));
    let dockerVerdict: Pick<Observation, 'ok' | 'detail'> = { ok: docker.ok, detail: docker.ok ? undefined : docker.detail };
    if (docker.ok) {
      // a Docker that answers its ping but hangs on container calls must not hang the monitor with it
      const deadline = Math.max(10_000, cfg.monitor.timeout * 5);
      const envs = await withTimeout(
        this.environmentObservations(cfg, known, retire),
        deadline,
        'the Docker engine did not answer container calls',
      ).catch((err: unknown) => {
        dockerVerdict = { ok: false, detail: describeError(err) };
        return [];
      });
      observations.push(...envs);
    }
    observations.push({ key: 'greenci/docker', kind: 'greenci', title: 'greenci docker engine', ...dockerVerdict });

    observations.push(...(await this.selfObservations(cfg)));
    const disk = await this.disk.observe(cfg, known);
    observations.push(...disk.observations);
    for (const key of disk.retire) retire.add(key);
    const stuck = this.stuckBuilds(cfg, startedAt);
    observations.push(...stuck);
    const stuckKeys = new Set(stuck.map((s) => s.key));
    for (const h of known.values()) {
      // checks of things no longer there: the webhook endpoint (a console without the daemon), a smee channel taken out of the config
      if (h.key === 'greenci/webhook' && !this.o.webhookUrl) retire.add(h.key);
      if (h.key.startsWith('greenci/smee/') && !cfg.projects[h.project ?? '']?.smee) retire.add(h.key);
      if (h.key === 'greenci/github' && !Object.values(cfg.projects).some((p) => p.githubApi)) retire.add(h.key);
      // a build that is no longer stuck (it finished or moved on): one passing check, then forgotten
      if (h.kind === 'build' && !stuckKeys.has(h.key))
        observations.push({ key: h.key, kind: 'build', title: h.title, ok: true }), retire.add(h.key);
    }
    return { observations, retire };
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
        const watched = watchedDeployment(this.o.store, project, env);
        if (watched === 'busy') {
          // a deployment is changing this environment: its checks wait for it to finish
          for (const h of mine) seen.add(h.key);
          continue;
        }
        if (watched === undefined) {
          for (const h of mine) retire.add(h.key);
          continue;
        }
        // behind the front proxy, an app's containers of other releases (the warm previous one) are not what serves
        const live = env === 'production' ? this.o.store.releases.liveRelease(project)?.version : undefined;
        const containers = all.filter(
          (c) =>
            c.Labels[LABEL.project] === project &&
            c.Labels[LABEL.env] === env &&
            CHECKED_ROLES.has(c.Labels[LABEL.role] ?? '') &&
            c.Labels[LABEL.service] &&
            !(c.Labels[LABEL.slot] && c.Labels[LABEL.release] !== live),
        );
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
            const role = c?.Labels[LABEL.role] ?? known.get(key)?.kind ?? 'service';
            const kind: 'app' | 'service' = role === 'app' ? 'app' : 'service';
            const base = {
              key,
              kind,
              project,
              env,
              service,
              title: serviceTitle(project, env, service),
              deploymentId: watched,
              fresh: fresh || undefined,
            };
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

  private async checkContainer(id: string, kind: 'app' | 'service', timeoutMs: number): Promise<Pick<Observation, 'ok' | 'detail'>> {
    const info = await this.o.docker.inspectContainer(id);
    if (!info) return { ok: false, detail: 'its container is gone' };
    const before = this.restarts.get(id);
    this.restarts.set(id, info.RestartCount ?? 0);
    const verdict = containerVerdict(info, before);
    if (verdict.ok !== true || kind !== 'app') return verdict;
    const url = healthUrl(info);
    if (!url) return { ok: false, detail: 'no published port to check its health path on' };
    const answer = await httpGet(url, timeoutMs).catch((err: NodeJS.ErrnoException) => ({
      error: err.code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : (err.code ?? err.message),
    }));
    return httpVerdict(answer, url);
  }

  /** greenci itself: its webhook endpoint answers, each smee channel is connected, GitHub takes what greenci reports. */
  private async selfObservations(cfg: GreenciConfig): Promise<Observation[]> {
    const out: Observation[] = [];
    const url = this.o.webhookUrl?.();
    if (url) {
      const answer = await httpGet(url, cfg.monitor.timeout).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }));
      // any HTTP answer (405 to a GET) means it is listening
      out.push({
        key: 'greenci/webhook',
        kind: 'greenci',
        title: 'greenci webhook endpoint',
        ok: !('error' in answer),
        detail: 'error' in answer ? `${url}: ${answer.error}` : undefined,
      });
    }
    // reporting to GitHub: statuses left pending block merges, so failing for long is an alert
    if (Object.values(cfg.projects).some((p) => p.githubApi))
      out.push({
        key: 'greenci/github',
        kind: 'greenci',
        title: 'greenci reporting to GitHub',
        ...githubVerdict(githubReporting(this.o.store.github), Date.now()),
      });
    const smee = this.o.snapshot().smee;
    for (const [project, p] of Object.entries(cfg.projects)) {
      if (!p.smee) continue;
      const s = smee[project];
      // still connecting for the first time: no verdict yet
      const ok =
        s?.state === 'connected'
          ? true
          : s === undefined || (s.state === 'connecting' && Date.now() - s.since < 30_000)
            ? undefined
            : false;
      out.push({
        key: `greenci/smee/${project}`,
        kind: 'greenci',
        project,
        title: `greenci smee relay of ${project}`,
        ok,
        detail: ok === false ? `${s?.state}${s?.detail ? `: ${s.detail}` : ''}` : undefined,
      });
    }
    return out;
  }

  private stuckBuilds(cfg: GreenciConfig, now: number): Observation[] {
    return this.o.store.builds
      .claimed()
      .filter((b) => b.status === 'running' && b.startedAt !== undefined && now - b.startedAt > cfg.monitor.stuckAfter)
      .map((b) => ({
        key: `greenci/build-${b.id}`,
        kind: 'build' as const,
        project: b.project,
        title: `greenci build #${b.id} (${b.project} ${b.branch})`,
        ok: false,
        detail: stuckDetail(b, now),
      }));
  }
}
