import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SecretValues } from '../../config/host-secrets.js';
import type { ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import { containerName, envLabels, LABEL, volumeName } from '../docker/names.js';
import { describeError, OperationFailedError } from '../errors.js';
import type { SecretResolver } from '../host-secrets.js';
import type { ReleaseRecord } from '../model.js';
import { currentVolumeName, deployEnvironment } from '../pipeline/deploy.js';
import { waitContainerHealthy } from '../pipeline/health.js';
import type { Recorder } from '../recorder.js';
import type { BackupRecord } from '../store/backups.js';
import { chooseBackup } from './choose.js';
import { readBackupData, verifyBackupFile } from './file.js';
import { generationOf, generationVolume } from './generations.js';
import { type BackupDeps, backupProduction } from './take.js';

export interface RestoreRequest {
  project: string;
  service: string;
  /** A backup id or a release (`vX.Y.Z`: the newest backup taken while it was live); default the newest. */
  from?: string;
  requestedBy: string;
  log?: (line: string) => void;
}

export interface RestoreResult {
  backup: BackupRecord;
  /** The backup of the data as it was, taken first. */
  before?: BackupRecord;
  /** The volume the service now uses, and the one it used (kept, for undo). */
  volume: string;
  previousVolume: string;
  ms: number;
}

export type RestoreDeps = BackupDeps & { recorder: Recorder; secrets: SecretResolver };

/** A restore checked and ready to load (nothing changed yet): the service, its verified backup, the live release it runs under. */
export interface RestorePlan {
  project: string;
  live: ReleaseRecord;
  spec: ProjectSpec;
  svc: ServiceSpec;
  backup: BackupRecord;
  image: string;
  secrets: SecretValues;
}

/** Where a loaded restore left a service: on `volume`, with `previousVolume` kept. */
export interface LoadedRestore {
  volume: string;
  previousVolume: string;
}

/**
 * Checks a restore without changing anything: the service has a volume in the live release's
 * greenci.yml, the backup chosen (`from`: an id or `vX.Y.Z`) is complete and its file intact (size,
 * sha256, a full decompress), a dump has a restore command, the secrets and the image are there.
 * A refusal is `{ why }`.
 */
export async function planRestore(
  deps: RestoreDeps,
  req: { project: string; service: string; from?: string },
): Promise<{ plan: RestorePlan } | { why: string }> {
  const { recorder, docker } = deps;
  const live = recorder.read.releases.liveRelease(req.project);
  if (!live) return { why: 'production runs no release' };
  const spec = recorder.read.releases.specOf(live.id);
  const svc = spec.services.find((s) => s.name === req.service && s.kind === 'service' && s.volume);
  if (!svc) return { why: `${live.version}'s greenci.yml has no service ${req.service} with a volume` };
  let backup: BackupRecord;
  try {
    backup = chooseBackup(recorder.backups.all(req.project), req.service, req.from);
  } catch (err) {
    return { why: describeError(err) };
  }
  const bad = await verifyBackupFile(backup.path, backup);
  if (bad) return { why: `backup ${backup.id} is unusable: ${bad}` };
  if (backup.kind === 'dump' && !svc.backup)
    return { why: `backup ${backup.id} is a dump, and ${live.version}'s greenci.yml names no restore command for ${svc.name}` };
  const secrets = deps.secrets.resolve(req.project, 'production', spec);
  if (secrets.problems.length) return { why: secrets.problems.join('; ') };
  const image = live.images[svc.name]?.id;
  if (!image || !(await docker.imageId(image))) return { why: `the image of ${svc.name} in ${live.version} is gone` };
  return { plan: { project: req.project, live, spec, svc, backup, image, secrets: secrets.values } };
}

/** Starts the plan's databases and services (not apps) of the live release again, each on its current volume generation. */
function deployServices(deps: RestoreDeps, plan: RestorePlan, log: (line: string) => void) {
  const { live } = plan;
  return deployEnvironment(deps.docker, {
    id: { project: plan.project, env: 'production', release: live.version, buildId: live.buildId ?? 0, commit: live.sha },
    spec: plan.spec,
    images: Object.fromEntries(Object.entries(live.images).map(([k, v]) => [k, v.id])),
    freshVolumes: false,
    servicesOnly: true,
    secrets: plan.secrets,
    log,
  });
}

/**
 * Loads a planned restore (the caller holds the production lock and took the backup of the data as
 * it is): the service is stopped and started on a fresh generation of its volume (the old one is
 * kept for undo) filled from the backup: a volume copy is unpacked into it before the service
 * starts, a dump is fed to greenci.yml's restore command once it is healthy (then the service is
 * restarted, so whatever reads its files at start sees them). Failing, the service goes back to the
 * volume it had, the new generation is removed, and OperationFailedError says why and where it is.
 */
export async function loadRestore(deps: RestoreDeps, plan: RestorePlan, log: (line: string) => void): Promise<LoadedRestore> {
  const { docker } = deps;
  const { svc, backup, live } = plan;
  const name = containerName(plan.project, 'production', svc.name);
  const previousVolume = await currentVolumeName(docker, plan.project, svc.name);
  const base = volumeName(plan.project, 'production', svc.name);
  const volume = generationVolume(base, (generationOf(base, previousVolume) ?? 1) + 1);
  const labels = { ...envLabels(plan.project, 'production', live.version), [LABEL.service]: svc.name };
  try {
    await docker.stopContainer(name);
    await docker.removeContainer(name);
    await docker.ensureVolume(volume, labels);
    if (backup.kind === 'volume') {
      // a container that never starts holds the new volume while Docker unpacks the copy into it
      const holder = await docker.createContainer({
        name: `${name}-restore`,
        Image: plan.image,
        Labels: labels,
        HostConfig: { Mounts: [{ Type: 'volume', Source: volume, Target: svc.volume! }] },
      });
      try {
        await deps.streams.putArchive(holder, path.posix.dirname(svc.volume!), readBackupData(backup.path) as Readable);
      } finally {
        await docker.removeContainer(holder);
      }
    }
    await deployServices(deps, plan, log);
    if (backup.kind === 'dump') {
      const out = await deps.streams.execFromSource(name, svc.backup!.restore, readBackupData(backup.path) as Readable);
      if (out.exitCode !== 0)
        throw new OperationFailedError(
          `its restore command (${svc.backup!.restore[0]}) exited ${out.exitCode}${out.stderr ? `: ${out.stderr}` : ''}`,
        );
      await docker.restartContainer(name);
      await waitContainerHealthy(
        docker,
        name,
        `service ${svc.name}`,
        plan.spec.environments.production.healthTimeoutMs,
        undefined,
        svc.healthcheck,
      );
    }
  } catch (err) {
    const why = describeError(err).split('\n')[0];
    log(`restore of ${svc.name} failed: ${why}; putting it back on ${previousVolume}`);
    const after = await putBack(deps, plan, { volume, previousVolume }, log);
    throw new OperationFailedError(`restore of ${svc.name} from ${backup.id} failed: ${why}; ${after}`);
  }
  return { volume, previousVolume };
}

/**
 * Undoes a load: the service goes back to the generation it ran on before (the new one, whose data
 * the backup still holds, is removed). Says where the service ends up; never throws.
 */
export async function putBack(deps: RestoreDeps, plan: RestorePlan, loaded: LoadedRestore, log: (line: string) => void): Promise<string> {
  const { docker } = deps;
  const name = containerName(plan.project, 'production', plan.svc.name);
  try {
    await docker.stopContainer(name);
    await docker.removeContainer(name);
    await docker.removeVolume(loaded.volume);
    await deployServices(deps, plan, log);
    return `${plan.svc.name} is back on ${loaded.previousVolume}`;
  } catch (again) {
    return `putting ${plan.svc.name} back on ${loaded.previousVolume} failed too (${describeError(again).split('\n')[0]})`;
  }
}

/**
 * Puts a service's data back from a backup (the caller holds the production lock): the backup is
 * checked first (planRestore: a corrupt or truncated one is refused and nothing changes), the data
 * as it is now is backed up, then loaded into a fresh volume generation (loadRestore). Waited on
 * until healthy, audited with who asked.
 */
export async function restoreService(deps: RestoreDeps, req: RestoreRequest): Promise<RestoreResult> {
  const { recorder } = deps;
  const log = req.log ?? (() => undefined);
  const started = Date.now();
  const auditId = recorder.audit({
    actor: req.requestedBy,
    action: 'restore-data',
    project: req.project,
    target: req.service,
    detail: { from: req.from },
  });
  const refuse = (why: string): never => {
    recorder.auditOutcome(auditId, `refused: ${why}`);
    throw new OperationFailedError(`cannot restore ${req.service}: ${why}; production was not changed`);
  };
  const planned = await planRestore(deps, req);
  if ('why' in planned) return refuse(planned.why);
  const { plan } = planned;
  const { svc, backup } = plan;
  log(
    `restore: ${svc.name} from backup ${backup.id} (${backup.kind}, taken while ${backup.release ?? 'no release'} was live; sha256 ${backup.sha256.slice(0, 12)} checked)`,
  );

  let before: BackupRecord | undefined;
  try {
    [before] = await backupProduction(deps, {
      project: req.project,
      spec: plan.spec,
      release: plan.live.version,
      reason: 'restore',
      requestedBy: req.requestedBy,
      service: svc.name,
      log,
    });
  } catch (err) {
    return refuse(describeError(err));
  }

  let loaded: LoadedRestore;
  try {
    loaded = await loadRestore(deps, plan, log);
  } catch (err) {
    const msg = describeError(err);
    recorder.auditOutcome(auditId, `failed: ${msg.replace(/^restore of \S+ from \S+ failed: /, '')}`);
    throw err;
  }
  const ms = Date.now() - started;
  recorder.auditOutcome(auditId, `success: ${svc.name} on ${loaded.volume} from backup ${backup.id}; ${loaded.previousVolume} kept`);
  log(
    `restore: ${svc.name} runs on ${loaded.volume} with the data of backup ${backup.id}, healthy after ${(ms / 1000).toFixed(1)} s; ${loaded.previousVolume} is kept`,
  );
  return { backup, before, ...loaded, ms };
}
