import type { GreenciConfig } from '../../config/schema.js';
import { DockerDataStreams } from '../docker/data-streams.js';
import type { DockerPort } from '../docker/port.js';
import type { Recorder } from '../recorder.js';
import type { BackupDeps } from './take.js';

/** What a production change needs to back up data: the engine's Docker, the data streams on the same socket, the recorder as ledger. */
export function backupDeps(docker: DockerPort, recorder: Recorder, config: Pick<GreenciConfig, 'dataDir' | 'docker'>): BackupDeps {
  return { docker, streams: new DockerDataStreams(config.docker.socket), ledger: recorder, dataDir: config.dataDir };
}
