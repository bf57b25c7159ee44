import { LABEL } from './docker/names.js';
import type { DockerPort } from './docker/port.js';
import { describeError } from './errors.js';
import type { EventBus } from './events.js';
import type { DeploymentEnv } from './model.js';
import type { HostLocks } from './host-locks.js';
import type { SecretResolver } from './host-secrets.js';
import type { BuildQueue } from './queue/build-queue.js';
import { productionDrift, proxyDrift, runningServices } from './pipeline/drift.js';
import { FrontProxy } from './proxy/front-proxy.js';
import { deployRelease, stopProduction } from './pipeline/rollback.js';
import type { Recorder } from './recorder.js';
import { interruptedOutcome } from './interrupted.js';
import { describeReaddress } from './proxy/readdress.js';
import { readdressUnderLock } from './release/follow-addresses.js';
import { productionParts } from './release/release-flow.js';
import type { Store } from './store/index.js';
import { runnerGone } from './store/leases.js';

/** What a start found and did after a crash, in sentences for the log. */
export type Note = { level: 'info' | 'warn' | 'error'; msg: string; project?: string; buildId?: number };

/** Deployments of one environment closed as interrupted. */
export interface ClosedDeployments {
  project: string;
  env: DeploymentEnv;
  count: number;
}

/**
 * Deployments left `running` by a process that died are closed as `interrupted` (in the audit
 * table too), environment by environment, where nobody holds the environment's lock. Without it a
 * dead deploy would read as running for good in the console, `greenci status` and the monitor.
 * Looking costs one query per environment; the lock check and the close are one write transaction,
 * so no process can take the lock and start a deployment in between. `bus`: a running engine
 * announces what it closed (at a start nobody listens yet).
 */
export function closeInterruptedDeployments(store: Store, projects: string[], bus?: EventBus): ClosedDeployments[] {
  const closed: ClosedDeployments[] = [];
  for (const project of projects) {
    for (const env of ['test', 'production', 'preview'] as const) {
      const running = new Set(
        store.releases
          .deployments(project, env)
          .filter((d) => d.status === 'running')
          .map((d) => d.id),
      );
      if (!running.size) continue;
      const count = store.db
        .transaction(() => {
          if (store.leases.holder(`${env}:${project}`)) return 0;
          // a preview left deploying ends failed with it (its branch's next build deploys it afresh)
          if (env === 'preview') store.previews.interrupted(project);
          return store.releases.closeInterrupted(project, env);
        })
        .immediate();
      if (!count) continue;
      const auditId = store.audit.record({
        actor: 'greenci',
        action: 'recover',
        project,
        target: env,
        outcome: `${count} interrupted ${env} deployment${count > 1 ? 's' : ''} marked interrupted`,
      });
      if (bus) {
        for (const deployment of store.releases.deployments(project, env))
          if (running.has(deployment.id)) bus.emit({ type: 'deployment.updated', deployment });
        if (env === 'preview')
          for (const preview of store.previews.list(project))
            bus.emit({ type: 'preview.updated', project, branch: preview.branch, preview });
        const entry = store.audit.get(auditId);
        if (entry) bus.emit({ type: 'audit', entry });
      }
      closed.push({ project, env, count });
    }
  }
  return closed;
}

/**
 * Builds left `queued`/`running` by a process that died (kill -9, power loss) end as
 * interruptedOutcome says: failed and queued again once (trigger `recovery`), or, when their
 * release went live before the process died, recorded as released (its tag is pushed by
 * TagPusher's round at the end of recovery).
 */
export async function recoverBuilds(recorder: Recorder, queue: BuildQueue, docker: DockerPort, projects: string[]): Promise<Note[]> {
  const store = recorder.read;
  const notes: Note[] = [];
  for (const b of store.builds.claimed()) {
    if (!runnerGone(b.runner)) continue;
    const stage = b.stages.find((s) => s.status === 'running')?.name;
    const released = store.releases.ofBuild(b.id);
    const outcome = interruptedOutcome({
      trigger: b.trigger,
      pid: b.runner.split(' ')[0],
      stage,
      known: projects.includes(b.project),
      newer: (store.builds.lastOfBranch(b.project, b.branch)?.id ?? 0) > b.id,
      released,
    });
    recorder.buildInterrupted(b.id, outcome.status, outcome.reason, released ? { version: released.version } : {});
    if (released)
      recorder.audit({
        actor: 'greenci',
        action: 'recover',
        project: b.project,
        target: `#${b.id}`,
        outcome: `recorded as released: ${released.version} went live before the process died${released.tagPushed ? '' : '; its tag is pushed next'}`,
      });
    // test-step containers of the dead build would otherwise linger
    for (const c of await docker
      .listContainers([`${LABEL.project}=${b.project}`, `${LABEL.build}=${b.id}`, `${LABEL.role}=test`])
      .catch(() => [])) {
      await docker.removeContainer(c.Id).catch(() => undefined);
    }
    const requeued = outcome.requeue ? queue.requeue(store.builds.get(b.id)!, 'recovery') : undefined;
    const after = released
      ? `, after ${released.version} went live: recorded as released`
      : requeued
        ? `; queued again as #${requeued.id}`
        : '';
    notes.push({
      level: 'warn',
      project: b.project,
      buildId: b.id,
      msg: `build #${b.id} (${b.branch}) was interrupted${stage ? ` during ${stage}` : ''}${after}`,
    });
  }
  return notes;
}

/**
 * Compares production with the live release and, when they differ (a crash mid-deploy, a
 * container removed by hand), says how and redeploys the live release under the production lock,
 * recorded as a `restore` deployment. When they match, the front proxy follows any routed app
 * Docker started again on another address meanwhile (audited `proxy-readdress`).
 */
export async function checkProduction(
  recorder: Recorder,
  docker: DockerPort,
  locks: HostLocks,
  project: string,
  dataDir: string,
  secrets: SecretResolver,
  /** Gives up waiting for the production lock (a restore under way is never cut). */
  signal?: AbortSignal,
): Promise<Note[]> {
  const store = recorder.read;
  const check = async (): Promise<Note[]> => {
    const live = store.releases.liveRelease(project);
    if (!live) return [];
    const spec = store.releases.specOf(live.id);
    const problems = [
      ...productionDrift(live, spec, await runningServices(docker, project, live)),
      ...(await proxyDrift(new FrontProxy(docker, dataDir, project), live.version, spec)),
    ];
    if (!problems.length) {
      const notes: Note[] = [{ level: 'info', project, msg: `production ${project} runs ${live.version} as recorded` }];
      // apps Docker started again while nobody watched (a dockerd restart, their restart policy) may answer on other addresses
      const moved = await readdressUnderLock(productionParts(docker, dataDir, project), recorder, {
        actor: 'greenci',
        why: 'production checked against the live release',
      }).catch(
        (err) => (notes.push({ level: 'error', project, msg: `front proxy ${project}: re-addressing failed: ${describeError(err)}` }), []),
      );
      if (moved.length)
        notes.push({
          level: 'warn',
          project,
          msg: `front proxy ${project}: Docker started apps again on other addresses; re-addressed ${describeReaddress(moved)}`,
        });
      return notes;
    }
    const notes: Note[] = [
      {
        level: 'warn',
        project,
        msg: `production ${project} does not match the live release ${live.version}: ${problems.join('; ')}; restoring ${live.version}`,
      },
    ];
    const auditId = recorder.audit({ actor: 'greenci', action: 'restore', project, target: live.version, detail: { problems } });
    const result = await deployRelease(docker, recorder, dataDir, {
      project,
      release: live,
      serving: null,
      spec,
      kind: 'restore',
      requestedBy: 'greenci',
      secrets,
      log: () => undefined,
    }).catch((err) => ({ ok: false as const, reason: describeError(err) }));
    recorder.auditOutcome(auditId, result.ok ? 'success' : `failed: ${result.reason}; production apps stopped`);
    if (result.ok) {
      notes.push({ level: 'info', project, msg: `production ${project} restored to ${live.version}` });
    } else {
      // never leave production half-deployed: stop the apps and record that no release is live
      await stopProduction(docker, recorder, dataDir, {
        project,
        reason: `restoring ${live.version} failed: ${result.reason.split('\n')[0]}`,
      });
      notes.push({ level: 'error', project, msg: `restoring ${live.version} failed: ${result.reason}; production apps stopped` });
    }
    return notes;
  };
  return locks.run(`production:${project}`, 'checking production against the live release', check, { signal });
}
