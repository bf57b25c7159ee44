import type { Writable } from 'node:stream';
import type { ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import type { DataStreamsPort } from '../docker/data-streams.js';
import { containerName } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import { describeError, OperationFailedError } from '../errors.js';
import { waitContainerHealthy } from '../pipeline/health.js';
import type { BackupKind, BackupRecord } from '../store/backups.js';
import { whenSinkGone } from '../sink-gone.js';
import { writeBackupFile } from './file.js';
import { backupId, backupPath } from './names.js';

/** Where backups are recorded: started, then finished with an outcome (failed attempts are kept too). */
export interface BackupLedger {
  backupStarted(b: Pick<BackupRecord, 'id' | 'project' | 'service' | 'release' | 'reason' | 'kind' | 'path' | 'requestedBy'>): void;
  backupFinished(id: string, f: { outcome: string; size?: number; sha256?: string }): BackupRecord;
}

export interface BackupDeps {
  docker: DockerPort;
  streams: DataStreamsPort;
  ledger: BackupLedger;
  dataDir: string;
}

export interface BackupRequest {
  project: string;
  /** The greenci.yml production runs now (the live release's): which services keep data and how to dump them. */
  spec: ProjectSpec;
  /** The release live now, which the backup is tied to. */
  release?: string;
  reason: string;
  requestedBy: string;
  /** Only this service (greenci backup --service). */
  service?: string;
  log: (line: string) => void;
}

/** The services a backup covers: every service with a volume (or the one asked for). Pure. */
export function servicesToBackUp(spec: ProjectSpec, only?: string): ServiceSpec[] {
  const withData = spec.services.filter((s) => s.kind === 'service' && s.volume);
  if (only === undefined) return withData;
  const one = withData.find((s) => s.name === only);
  if (!one) {
    const known = withData.map((s) => s.name).join(', ') || 'none';
    throw new OperationFailedError(`service ${only} has no volume in production's greenci.yml (services with data: ${known})`);
  }
  return [one];
}

/**
 * Backs up production's services that keep data, one after another, before a change. The first
 * failure stops it and throws OperationFailedError naming the service and why: the caller changes
 * nothing then. A service with no container in production yet has nothing to back up (said, skipped).
 */
export async function backupProduction(deps: BackupDeps, req: BackupRequest): Promise<BackupRecord[]> {
  const done: BackupRecord[] = [];
  // dumps first: they interrupt nothing, so a failing one stops the change before any database was stopped for a volume copy
  const ordered = [...servicesToBackUp(req.spec, req.service)].sort((a, b) => Number(!a.backup) - Number(!b.backup));
  for (const svc of ordered) {
    const record = await backupService(deps, req, svc);
    if (record) done.push(record);
  }
  return done;
}

async function backupService(deps: BackupDeps, req: BackupRequest, svc: ServiceSpec): Promise<BackupRecord | undefined> {
  const name = containerName(req.project, 'production', svc.name);
  const info = await deps.docker.inspectContainer(name);
  if (!info) {
    req.log(`backup: ${svc.name} has no container in production: nothing to back up`);
    return undefined;
  }
  const running = info.State.Running === true;
  // a stopped database is already consistent on disk: its volume is copied whatever greenci.yml says
  const kind: BackupKind = svc.backup && running ? 'dump' : 'volume';
  const started = Date.now();
  const id = backupId(started, svc.name);
  const file = backupPath(deps.dataDir, req.project, svc.name, id, kind);
  deps.ledger.backupStarted({
    id,
    project: req.project,
    service: svc.name,
    release: req.release,
    reason: req.reason,
    kind,
    path: file,
    requestedBy: req.requestedBy,
  });
  try {
    const stored = await writeBackupFile(file, (sink) =>
      kind === 'dump' ? dump(deps, name, svc.backup!.dump, sink) : copyVolume(deps, req, svc, name, running, sink),
    );
    const record = deps.ledger.backupFinished(id, { outcome: 'success', ...stored });
    req.log(
      `backup: ${svc.name} (${kind === 'dump' ? svc.backup!.dump[0] : `volume ${svc.volume}`}) → ${file}, ${stored.size} bytes, sha256 ${stored.sha256.slice(0, 12)}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return record;
  } catch (err) {
    const why = describeError(err).split('\n')[0];
    deps.ledger.backupFinished(id, { outcome: `failed: ${why}` });
    throw new OperationFailedError(`the backup of ${svc.name} failed: ${why}`);
  }
}

async function dump(deps: BackupDeps, container: string, argv: string[], sink: Writable): Promise<void> {
  const out = await deps.streams.execToSink(container, argv, sink);
  if (out.exitCode !== 0)
    throw new OperationFailedError(
      `its dump command (${argv[0]}) exited ${out.exitCode}${out.stderr ? `: ${out.stderr.split('\n').slice(-3).join(' ')}` : ''}`,
    );
}

/**
 * A consistent copy of the volume: the service is stopped (gracefully, as every production stop)
 * so its files are closed, the mount path is read through Docker's archive API (no shell needed in
 * the image), and the service is started again and waited on until healthy, whatever happened.
 */
async function copyVolume(
  deps: BackupDeps,
  req: BackupRequest,
  svc: ServiceSpec,
  container: string,
  running: boolean,
  sink: Writable,
): Promise<void> {
  if (running) await deps.docker.stopContainer(container);
  let failure: unknown;
  try {
    const tar = await deps.streams.getArchive(container, svc.volume!);
    let unwatch: () => void = () => undefined;
    await new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('end', () => resolve());
      tar.pipe(sink, { end: false });
      // the file could not be written: stop reading the volume, so the service is started again below
      unwatch = whenSinkGone(sink, (why) => {
        tar.destroy();
        reject(why);
      });
    }).finally(() => unwatch());
  } catch (err) {
    failure = err;
  }
  if (running) {
    await deps.docker.startContainer(container);
    await waitContainerHealthy(
      deps.docker,
      container,
      `service ${svc.name}`,
      req.spec.environments.production.healthTimeoutMs,
      undefined,
      svc.healthcheck,
    );
  }
  if (failure) throw failure;
}
