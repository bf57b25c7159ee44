import { statfs, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GreenciConfig } from '../../config/schema.js';
import { LABEL } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import { type DiskFacts, type DiskReport, diskReport } from './disk.js';
import { hostContainer, hostImage, treeBytes } from './facts.js';

/**
 * Reads what greenci's things take on disk (Docker's listings and `system df`, the data dir) and
 * the free space of Docker's data root and greenci's data dir, and sums it up (disk.ts).
 */
export async function readDisk(docker: DockerPort, config: Pick<GreenciConfig, 'dataDir' | 'retention'>): Promise<DiskReport> {
  const [images, containers, usage, root] = await Promise.all([
    docker.listImages(),
    docker.listContainers([LABEL.project], { size: true }),
    docker.diskUsage(),
    docker.dataRoot(),
  ]);
  const db = path.join(config.dataDir, 'greenci.db');
  const facts: DiskFacts = {
    images: images.map(hostImage),
    containers: containers.map((c) => hostContainer(c)),
    volumes: usage.volumes,
    dockerBuildCache: usage.buildCacheBytes,
    database: (await Promise.all([db, `${db}-wal`, `${db}-shm`].map(fileBytes))).reduce((a, b) => a + b, 0),
    dataDir: await treeBytes(config.dataDir),
    filesystems: (await Promise.all([space('docker', root), space('dataDir', config.dataDir)])).filter((f) => f !== undefined),
  };
  return diskReport(facts, config.retention.minFree);
}

async function fileBytes(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/** Free and total bytes of the filesystem a path is on (for an unprivileged user: what it may still write). Undefined when it cannot be read. */
async function space(name: 'docker' | 'dataDir', p: string): Promise<DiskFacts['filesystems'][number] | undefined> {
  try {
    const s = await statfs(p);
    return { name, path: p, free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}
