import path from 'node:path';
import type { Readable } from 'node:stream';
import { containerName, envLabels, LABEL, volumeName } from '../docker/names.js';
import { describeError, OperationFailedError } from '../errors.js';
import type { SecretResolver } from '../host-secrets.js';
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

/**
 * Puts a service's data back from a backup (the caller holds the production lock): the backup is
 * checked first (size, sha256, a full decompress: a corrupt or truncated one is refused and nothing
 * changes), the data as it is now is backed up, then the service is stopped and started on a fresh
 * generation of its volume (the old one is kept for undo) filled from the backup: a volume copy is
 * unpacked into it before the service starts, a dump is fed to greenci.yml's restore command once
 * it is healthy (then the service is restarted, so whatever reads its files at start sees them).
 * Waited on until healthy, audited with who asked. Failing after the stop, the service goes back
 * to the volume it had and the new generation is removed.
 */
export async function restoreService(
  deps: BackupDeps & { recorder: Recorder; secrets: SecretResolver },
  req: RestoreRequest,
): Promise<RestoreResult> {
  const { recorder, docker } = deps;
  const log = req.log ?? (() => undefined);
  const started = Date.now();
  const live = recorder.read.releases.liveRelease(req.project);
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
  if (!live) return refuse('production runs no release');
  const spec = recorder.read.releases.specOf(live.id);
  const svc = spec.services.find((s) => s.name === req.service && s.kind === 'service' && s.volume);
  if (!svc) return refuse(`${live.version}'s greenci.yml has no service ${req.service} with a volume`);
  let backup: BackupRecord;
  try {
    backup = chooseBackup(recorder.backups.all(req.project), req.service, req.from);
  } catch (err) {
    return refuse(describeError(err));
  }
  const bad = await verifyBackupFile(backup.path, backup);
  if (bad) return refuse(`backup ${backup.id} is unusable: ${bad}`);
  if (backup.kind === 'dump' && !svc.backup)
    return refuse(`backup ${backup.id} is a dump, and ${live.version}'s greenci.yml names no restore command for ${svc.name}`);
  const secrets = deps.secrets.resolve(req.project, 'production', spec);
  if (secrets.problems.length) return refuse(secrets.problems.join('; '));
  const image = live.images[svc.name]?.id;
  if (!image || !(await docker.imageId(image))) return refuse(`the image of ${svc.name} in ${live.version} is gone`);
  log(
    `restore: ${svc.name} from backup ${backup.id} (${backup.kind}, taken while ${backup.release ?? 'no release'} was live; sha256 ${backup.sha256.slice(0, 12)} checked)`,
  );

  let before: BackupRecord | undefined;
  try {
    [before] = await backupProduction(deps, {
      project: req.project,
      spec,
      release: live.version,
      reason: 'restore',
      requestedBy: req.requestedBy,
      service: svc.name,
      log,
    });
  } catch (err) {
    return refuse(describeError(err));
  }

  const name = containerName(req.project, 'production', svc.name);
  const previousVolume = await currentVolumeName(docker, req.project, svc.name);
  const base = volumeName(req.project, 'production', svc.name);
  const volume = generationVolume(base, (generationOf(base, previousVolume) ?? 1) + 1);
  const labels = { ...envLabels(req.project, 'production', live.version), [LABEL.service]: svc.name };
  const images = Object.fromEntries(Object.entries(live.images).map(([k, v]) => [k, v.id]));
  const deployServices = () =>
    deployEnvironment(docker, {
      id: { project: req.project, env: 'production', release: live.version, buildId: live.buildId ?? 0, commit: live.sha },
      spec,
      images,
      freshVolumes: false,
      servicesOnly: true,
      secrets: secrets.values,
      log,
    });
  try {
    await docker.stopContainer(name);
    await docker.removeContainer(name);
    await docker.ensureVolume(volume, labels);
    if (backup.kind === 'volume') {
      // a container that never starts holds the new volume while Docker unpacks the copy into it
      const holder = await docker.createContainer({
        name: `${name}-restore`,
        Image: image,
        Labels: labels,
        HostConfig: { Mounts: [{ Type: 'volume', Source: volume, Target: svc.volume! }] },
      });
      try {
        await deps.streams.putArchive(holder, path.posix.dirname(svc.volume!), readBackupData(backup.path) as Readable);
      } finally {
        await docker.removeContainer(holder);
      }
    }
    await deployServices();
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
        spec.environments.production.healthTimeoutMs,
        undefined,
        svc.healthcheck,
      );
    }
  } catch (err) {
    const why = describeError(err).split('\n')[0];
    log(`restore of ${svc.name} failed: ${why}; putting it back on ${previousVolume}`);
    let after = `${svc.name} is back on ${previousVolume}`;
    try {
      await docker.stopContainer(name);
      await docker.removeContainer(name);
      await docker.removeVolume(volume);
      await deployServices();
    } catch (again) {
      after = `putting ${svc.name} back on ${previousVolume} failed too (${describeError(again).split('\n')[0]})`;
    }
    recorder.auditOutcome(auditId, `failed: ${why}; ${after}`);
    throw new OperationFailedError(`restore of ${svc.name} from ${backup.id} failed: ${why}; ${after}`);
  }
  const ms = Date.now() - started;
  recorder.auditOutcome(auditId, `success: ${svc.name} on ${volume} from backup ${backup.id}; ${previousVolume} kept`);
  log(
    `restore: ${svc.name} runs on ${volume} with the data of backup ${backup.id}, healthy after ${(ms / 1000).toFixed(1)} s; ${previousVolume} is kept`,
  );
  return { backup, before, volume, previousVolume, ms };
}
