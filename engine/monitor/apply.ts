import type { GreenciConfig } from '../../config/schema.js';
import type { DockerPort } from '../docker/port.js';
import { describeError } from '../errors.js';
import type { EngineEvent } from '../events.js';
import type { HealthRecord, HealthTransitionRecord } from '../model.js';
import type { Store } from '../store/index.js';
import { watchedDeployment } from '../store/watched-deployment.js';
import { withTimeout } from '../time.js';
import type { Observation } from './checks.js';
import { decide, type Decision } from './decide.js';
import type { HealthThresholds } from './health-state.js';

/** What one monitoring round did. */
export interface RoundResult {
  why: string;
  startedAt: number;
  ms: number;
  observed: number;
  transitions: HealthTransitionRecord[];
  alerts: HealthTransitionRecord[];
  healed: string[];
}

export interface ApplierOptions {
  docker: Pick<DockerPort, 'restartContainer' | 'containerLogs'>;
  store: Pick<Store, 'health' | 'audit' | 'leases' | 'releases'>;
  emit: (e: EngineEvent) => void;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** The monitor's thresholds from its config (a stuck build is down at its first failed check). */
function thresholds(cfg: GreenciConfig, obs: Observation): HealthThresholds {
  const m = cfg.monitor;
  const t = {
    degradedAfter: 1,
    downAfter: m.downAfter,
    recoverAfter: m.recoverAfter,
    flapLimit: m.flap.limit,
    flapWindowMs: m.flap.window,
  };
  return obs.kind === 'build' ? { ...t, downAfter: 1, recoverAfter: 1 } : t;
}

/**
 * What a round's observations do: each one's decision carried out (a container restarted where
 * self-healing may, the record stored, the change announced), retired checks forgotten, and the
 * round's alerts handed over together.
 */
export class Applier {
  /** Per key: when greenci last restarted its container. */
  private readonly healedAt = new Map<string, number>();

  constructor(private readonly o: ApplierOptions) {}

  async applyRound(
    observations: Observation[],
    retire: Set<string>,
    known: Map<string, HealthRecord>,
    cfg: GreenciConfig,
    result: RoundResult,
  ): Promise<void> {
    const now = Date.now();
    for (const obs of observations) await this.apply(obs, known.get(obs.key), now, cfg, result);
    for (const key of retire) {
      if (this.o.store.health.remove(key)) this.o.emit({ type: 'health.removed', key });
      this.healedAt.delete(key);
    }
    if (result.alerts.length) this.o.emit({ type: 'health.alerts', alerts: result.alerts });
  }

  private async apply(
    obs: Observation,
    prev: HealthRecord | undefined,
    now: number,
    cfg: GreenciConfig,
    result: RoundResult,
  ): Promise<void> {
    const heal = cfg.monitor.heal;
    // the front proxy holds no state of its own (greenci wrote its config): it is always started again
    const enabled =
      obs.env !== undefined &&
      (obs.kind === 'app' || obs.kind === 'service') &&
      (heal[obs.env] || (obs.env === 'production' && obs.service === 'proxy'));
    const coolingDown = now - (this.healedAt.get(obs.key) ?? 0) < heal.wait;
    const d = decide(prev, obs, now, thresholds(cfg, obs), { enabled, maxRestarts: heal.maxRestarts, coolingDown });

    // a deployment may have taken the environment over since it was observed: never restart under it
    if (d.heal && obs.containerId && obs.project && obs.env && watchedDeployment(this.o.store, obs.project, obs.env) !== obs.deploymentId) {
      d.heal = false;
      d.next.healAttempts -= 1;
    }
    if (d.heal && obs.containerId) await this.restart(obs, obs.containerId, d, now, heal.maxRestarts, result);
    await this.record(obs, d, cfg, result);
  }

  /** Self-healing: restarts the container, audited and logged. */
  private async restart(
    obs: Observation,
    containerId: string,
    d: Decision,
    now: number,
    maxRestarts: number,
    result: RoundResult,
  ): Promise<void> {
    this.healedAt.set(obs.key, now);
    const auditId = this.o.store.audit.record({
      actor: 'greenci (monitor)',
      action: 'heal',
      project: obs.project,
      target: `${obs.env} ${obs.service}`,
      detail: { attempt: d.next.healAttempts, reason: obs.detail },
    });
    try {
      await withTimeout(this.o.docker.restartContainer(containerId, 5), 30_000, 'Docker did not restart it');
      this.o.store.audit.setOutcome(auditId, `restarted (attempt ${d.next.healAttempts} of ${maxRestarts})`);
      this.o.log?.(
        'warn',
        `${obs.title} is down (${obs.detail}); restarted its container (attempt ${d.next.healAttempts} of ${maxRestarts})`,
        { key: obs.key },
      );
      result.healed.push(obs.key);
    } catch (err) {
      this.o.store.audit.setOutcome(auditId, `restart failed: ${describeError(err)}`);
      this.o.log?.('error', `${obs.title}: restarting its container failed: ${describeError(err)}`, { key: obs.key });
    }
  }

  /** Stores the next record (and the transition, with the container's last output on an alerted down) and announces it. */
  private async record(obs: Observation, d: Decision, cfg: GreenciConfig, result: RoundResult): Promise<void> {
    if (d.transition) {
      // what a container printed last is what ops read first when it goes down
      const output =
        d.transition.to === 'down' && d.transition.alert && obs.containerId
          ? await withTimeout(this.o.docker.containerLogs(obs.containerId, 15), cfg.monitor.timeout, 'no logs').catch(() => [])
          : undefined;
      const stored = this.o.store.health.transition(d.next, { ...d.transition, output });
      result.transitions.push(stored);
      if (stored.alert) result.alerts.push(stored);
      this.o.emit({ type: 'health.updated', health: d.next, transition: stored });
    } else {
      this.o.store.health.save(d.next);
      if (d.changed) this.o.emit({ type: 'health.updated', health: d.next });
    }
  }
}
