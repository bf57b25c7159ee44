import type { ProjectSpec } from '../../config/project-spec.js';
import { backupDeps } from '../backup/production.js';
import {
  auditDataRollback,
  type LoadedData,
  loadDataRollback,
  planDataRollback,
  type RestoredData,
  undoDataRollback,
} from '../backup/rollback-data.js';
import type { RestoreDeps, RestorePlan } from '../backup/restore.js';
import { backupProduction, type BackupDeps } from '../backup/take.js';
import type { DockerPort } from '../docker/port.js';
import type { SecretResolver } from '../host-secrets.js';
import { describeError, NotFoundError, OperationFailedError, UsageError } from '../errors.js';
import type { DeploymentKind, ReleaseRecord } from '../model.js';
import type { Recorder } from '../recorder.js';
import { FrontProxy } from '../proxy/front-proxy.js';
import { type ProductionParts, productionParts, switchTo } from '../release/release-flow.js';
import { removeAppContainers } from './deploy.js';

/** Deploying a recorded release to production: manual rollback and automatic rollback both come here. */

/** The images of a release that are no longer on this host (a rollback to it cannot work). */
export async function missingImages(docker: DockerPort, release: ReleaseRecord): Promise<string[]> {
  const missing: string[] = [];
  for (const img of Object.values(release.images)) if (!(await docker.imageId(img.id))) missing.push(img.ref);
  return missing;
}

export interface ReleaseDeploy {
  project: string;
  release: ReleaseRecord;
  spec: ProjectSpec;
  kind: DeploymentKind;
  requestedBy: string;
  buildId?: number;
  /** The version the proxy sends requests to now (default: the live release on record; null: none is known to). */
  serving?: string | null;
  /** The host's secrets, looked up for the release's greenci.yml now. */
  secrets: SecretResolver;
  log: (line: string) => void;
}

/**
 * Puts a recorded release in front of production with the greenci.yml it was released with: a
 * switch when its apps are warm, else its apps start beside the serving ones and the switch
 * follows once they are healthy. Records the deployment either way.
 */
export async function deployRelease(
  docker: DockerPort,
  recorder: Recorder,
  dataDir: string,
  r: ReleaseDeploy,
): Promise<{ ok: true; warm: boolean; switchedAt: number } | { ok: false; reason: string }> {
  const missing = await missingImages(docker, r.release);
  if (missing.length) return { ok: false, reason: `the images of ${r.release.version} are gone (${missing.join(', ')})` };
  const secrets = r.secrets.resolve(r.project, 'production', r.spec);
  if (secrets.problems.length) return { ok: false, reason: `${r.release.version} cannot be deployed: ${secrets.problems.join('; ')}` };
  const serving = r.serving === undefined ? recorder.read.releases.liveRelease(r.project)?.version : r.serving;
  const dep = recorder.deploymentStarted({
    project: r.project,
    env: 'production',
    kind: r.kind,
    buildId: r.buildId,
    releaseId: r.release.id,
    version: r.release.version,
    requestedBy: r.requestedBy,
  });
  try {
    const images = Object.fromEntries(Object.entries(r.release.images).map(([name, img]) => [name, img.id]));
    const parts = productionParts(docker, dataDir, r.project);
    const sw = await switchTo(parts, {
      project: r.project,
      version: r.release.version,
      buildId: r.release.buildId ?? 0,
      sha: r.release.sha,
      images,
      spec: r.spec,
      secrets: secrets.values,
      live: serving && serving !== r.release.version ? { version: serving } : undefined,
      log: r.log,
    });
    recorder.deploymentFinished(r.project, dep, 'success', { endpoints: sw.endpoints });
    await keepWarm(parts, r.spec, sw.previous?.release);
    return { ok: true, warm: sw.warm, switchedAt: sw.switchedAt };
  } catch (err) {
    const reason = describeError(err);
    recorder.deploymentFinished(r.project, dep, 'failed', { reason });
    return { ok: false, reason };
  }
}

/** After a switch, the release that served before stays warm: running, or stopped when greenci.yml says `warm: stopped`. */
export async function keepWarm(parts: ProductionParts, spec: ProjectSpec, previous: string | undefined): Promise<void> {
  if (!previous || spec.environments.production.release?.warm !== 'stopped') return;
  await parts.target.stopApps(parts.proxy.project, previous);
}

/** Which release a rollback goes to: the named version, or the newest one older than the live one. */
export function chooseRollbackTarget(releases: ReleaseRecord[], live: ReleaseRecord | undefined, to?: string): ReleaseRecord {
  if (to) {
    const wanted = to.startsWith('v') ? to : `v${to}`;
    const r = releases.find((x) => x.version === wanted);
    if (!r) throw new NotFoundError(`no release ${wanted} (known: ${releases.map((x) => x.version).join(', ') || 'none'})`);
    if (live && r.id === live.id) throw new UsageError(`${wanted} is already live`);
    return r;
  }
  if (!live) throw new UsageError('production runs no release yet: nothing to roll back from');
  const older = releases.filter((x) => x.id < live.id).sort((a, b) => b.id - a.id)[0];
  if (!older) throw new UsageError(`${live.version} is the first release: there is nothing older to roll back to`);
  return older;
}

/**
 * Stops production's apps (databases stay) and records it: after this no release is live, so
 * greenci never claims production runs something it does not.
 */
export async function stopProduction(
  docker: DockerPort,
  recorder: Recorder,
  dataDir: string,
  r: { project: string; reason: string; buildId?: number; requestedBy?: string },
): Promise<void> {
  await removeAppContainers(docker, r.project, 'production');
  await new FrontProxy(docker, dataDir, r.project).clear();
  const dep = recorder.deploymentStarted({
    project: r.project,
    env: 'production',
    kind: 'stop',
    buildId: r.buildId,
    requestedBy: r.requestedBy ?? 'greenci',
  });
  recorder.deploymentFinished(r.project, dep, 'success', { reason: r.reason });
  recorder.audit({
    actor: r.requestedBy ?? 'greenci',
    action: 'stop',
    project: r.project,
    outcome: 'success',
    detail: { reason: r.reason },
  });
}

/**
 * An operator's rollback (the caller holds the production lock): deploy the chosen release and
 * verify it; if that fails, restore the release that was live, and if that fails too, stop the
 * apps. The audit entry always ends with the outcome. With `restoreData`, first the target's
 * backups are chosen and verified (refused, nothing changed, when one is missing or corrupt), the
 * data as it is is backed up, and each service is loaded onto a fresh volume generation; a failed
 * load switches no app, and a failed switch puts the data back with the release that was live.
 */
export async function rollbackProduction(
  docker: DockerPort,
  recorder: Recorder,
  dataDir: string,
  req: {
    project: string;
    to?: string;
    requestedBy: string;
    log?: (line: string) => void;
    backup?: BackupDeps;
    /** Also put back, for every service with a volume, the data of a backup taken while the target was live. */
    restoreData?: boolean;
  },
  secrets: SecretResolver,
): Promise<{ from?: ReleaseRecord; to: ReleaseRecord; warm?: boolean; restored?: RestoredData[] }> {
  const store = recorder.read;
  const live = store.releases.liveRelease(req.project);
  const target = chooseRollbackTarget(store.releases.releases(req.project), live, req.to);
  const auditId = recorder.audit({
    actor: req.requestedBy,
    action: 'rollback',
    project: req.project,
    target: target.version,
    detail: req.restoreData ? { from: live?.version, restoreData: true } : { from: live?.version },
  });
  const log = req.log ?? (() => undefined);
  const dataDeps: RestoreDeps = {
    ...(req.backup ?? backupDeps(docker, recorder, { dataDir, docker: { socket: '/var/run/docker.sock' } })),
    recorder,
    secrets,
  };
  try {
    const missing = await missingImages(docker, target);
    if (missing.length) {
      recorder.auditOutcome(auditId, `refused: images gone (${missing.join(', ')})`);
      throw new OperationFailedError(
        `cannot roll back to ${target.version}: its images are gone (${missing.join(', ')}); production was not changed`,
      );
    }
    const spec = store.releases.specOf(target.id);
    const { problems } = secrets.resolve(req.project, 'production', spec);
    if (problems.length) {
      recorder.auditOutcome(auditId, `refused: ${problems.join('; ')}`);
      throw new OperationFailedError(`cannot roll back to ${target.version}: ${problems.join('; ')}; production was not changed`);
    }
    const data = req.restoreData ? await planData(dataDeps, req.project, target, auditId, log) : undefined;
    await backupBeforeRollback(docker, recorder, dataDir, req, live, target, auditId, log);
    let loaded: LoadedData[] = [];
    if (data) {
      try {
        loaded = await loadDataRollback(dataDeps, data, log);
      } catch (err) {
        const why = describeError(err).split('\n')[0];
        recorder.auditOutcome(auditId, `failed: ${why}; production apps were not switched`);
        throw new OperationFailedError(
          `rollback to ${target.version} with its data failed: ${why}; production apps were not switched${live ? ` (${live.version} serves)` : ''}`,
        );
      }
    }
    const result = await deployRelease(docker, recorder, dataDir, {
      project: req.project,
      release: target,
      spec,
      kind: 'rollback',
      requestedBy: req.requestedBy,
      secrets,
      log,
    });
    if (result.ok) {
      if (!data) {
        recorder.auditOutcome(auditId, 'success');
        return { from: live, to: target, warm: result.warm };
      }
      const restored = auditDataRollback(recorder, req.project, target.version, req.requestedBy, loaded);
      recorder.auditOutcome(
        auditId,
        `success; data restored from backups ${restored.map((d) => `${d.backup} (${d.service} on ${d.volume}, ${d.previousVolume} kept)`).join(', ')}`,
      );
      return { from: live, to: target, warm: result.warm, restored };
    }
    const why = result.reason.split('\n')[0];
    // the data goes back with the release that was live
    const dataBack = loaded.length ? `${await undoDataRollback(dataDeps, loaded, log)}; ` : '';
    let after: string;
    const restore =
      live &&
      (await deployRelease(docker, recorder, dataDir, {
        project: req.project,
        release: live,
        spec: store.releases.specOf(live.id),
        kind: 'auto-rollback',
        requestedBy: 'greenci',
        secrets,
        log,
      }));
    if (restore?.ok) {
      after = `${live!.version} was restored and is healthy`;
    } else {
      await stopProduction(docker, recorder, dataDir, {
        project: req.project,
        reason: `rollback to ${target.version} failed${live ? ` and so did restoring ${live.version}` : ''}`,
        requestedBy: req.requestedBy,
      });
      after = `${live ? `restoring ${live.version} failed too (${restore && !restore.ok ? restore.reason.split('\n')[0] : ''}); ` : ''}production apps are stopped`;
    }
    recorder.auditOutcome(auditId, `failed: ${why}; ${dataBack}${after}`);
    throw new OperationFailedError(`rollback to ${target.version} failed: ${why}; ${dataBack}${after}`);
  } catch (err) {
    if (!(err instanceof OperationFailedError)) recorder.auditOutcome(auditId, `failed: ${describeError(err)}`);
    throw err;
  }
}

/**
 * `--restore-data`: the backups of the target's data, chosen and verified before anything changes;
 * a service without one or a corrupt file refuses the rollback.
 */
async function planData(
  deps: RestoreDeps,
  project: string,
  target: ReleaseRecord,
  auditId: number,
  log: (line: string) => void,
): Promise<RestorePlan[]> {
  const planned = await planDataRollback(deps, project, target.version);
  if ('why' in planned) {
    deps.recorder.auditOutcome(auditId, `refused: ${planned.why}`);
    throw new OperationFailedError(`cannot roll back to ${target.version} with its data: ${planned.why}; production was not changed`);
  }
  for (const p of planned.plans)
    log(
      `data: ${p.svc.name} from backup ${p.backup.id} (taken while ${target.version} was live; sha256 ${p.backup.sha256.slice(0, 12)} checked)`,
    );
  return planned.plans;
}

/**
 * The data live now is backed up before a rollback (which without --restore-data never touches the
 * data itself, but the release it brings back may): tied to the live release. A failed backup refuses the rollback
 * before anything changes.
 */
async function backupBeforeRollback(
  docker: DockerPort,
  recorder: Recorder,
  dataDir: string,
  req: { project: string; requestedBy: string; backup?: BackupDeps },
  live: ReleaseRecord | undefined,
  target: ReleaseRecord,
  auditId: number,
  log: (line: string) => void,
): Promise<void> {
  if (!live) return log('backup: production has no live release: nothing to back up');
  try {
    await backupProduction(req.backup ?? backupDeps(docker, recorder, { dataDir, docker: { socket: '/var/run/docker.sock' } }), {
      project: req.project,
      spec: recorder.read.releases.specOf(live.id),
      release: live.version,
      reason: `rollback to ${target.version}`,
      requestedBy: req.requestedBy,
      log,
    });
  } catch (err) {
    const why = describeError(err).split('\n')[0];
    recorder.auditOutcome(auditId, `refused: ${why}`);
    throw new OperationFailedError(`cannot roll back to ${target.version}: ${why}; production was not changed`);
  }
}
