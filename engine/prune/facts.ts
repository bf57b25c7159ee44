import { existsSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../../config/schema.js';
import { LABEL } from '../docker/names.js';
import type { DockerPort } from '../docker/port.js';
import type { ContainerSummary, ImageSummary } from '../docker/types.js';
import { FrontProxy } from '../proxy/front-proxy.js';
import type { Store } from '../store/index.js';
import type { BackupFact, HostContainer, HostFacts, HostImage, RetentionRecords, WorktreeFact } from './types.js';

const DAY = 86_400_000;

/** What the rule reads of greenci's records of a project (SQLite, the front proxy's routes, the worktrees on disk). */
export async function gatherRecords(
  store: Pick<Store, 'builds' | 'releases' | 'holds' | 'retention'>,
  docker: DockerPort,
  o: {
    project: string;
    config: ProjectConfig;
    dataDir: string;
    buildLogDays: number;
    now: number;
    /** The project's successful backups (engine/backup/). */
    backups: BackupFact[];
  },
): Promise<RetentionRecords> {
  const { project } = o;
  const hold = store.holds.current(project);
  const routes = await new FrontProxy(docker, o.dataDir, project).routes();
  const warm = [...new Set((routes?.apps ?? []).flatMap((a) => Object.values(a.slots).map((s) => s!.release)))];
  const passed = store.builds.lastSuccessOfBranch(project, o.config.productionBranch);
  const tested = passed && store.builds.tested(passed.id);
  // the newest test deployment, failed ones too (a failed environment is left up to inspect); none after a teardown
  const shown = store.releases.deployments(project, 'test', 1)[0];
  const testBuild = shown?.kind !== 'teardown' && shown?.buildId !== undefined ? store.builds.get(shown.buildId) : undefined;
  const active = [...store.builds.claimed(), ...store.builds.queued()].filter((b) => b.project === project);
  return {
    project,
    productionBranch: o.config.productionBranch,
    releases: store.releases.releases(project).map((r) => ({ version: r.version, images: r.images, createdAt: r.createdAt })),
    live: store.releases.liveRelease(project)?.version,
    hold: hold ? { version: hold.version, by: hold.by } : undefined,
    warm,
    releasable: passed && tested ? { buildId: passed.id, images: tested.images } : undefined,
    testEnv: testBuild ? { buildId: testBuild.id, branch: testBuild.branch } : undefined,
    activeBuilds: active.map((b) => ({
      id: b.id,
      status: b.status === 'running' ? 'running' : 'queued',
      branch: b.branch,
      tested: store.builds.tested(b.id)?.images,
    })),
    backups: o.backups,
    buildLogs: store.retention.logsEndedBefore(project, o.now - o.buildLogDays * DAY),
    buildCommits: store.retention.buildCommits(project),
    worktrees: await worktrees(store, path.join(o.dataDir, 'work', project)),
  };
}

/** Every image and container on the engine: a foreign container keeps the greenci image it runs. */
export async function gatherHost(docker: DockerPort, project: string): Promise<HostFacts> {
  const [images, all, ours] = await Promise.all([
    docker.listImages(),
    docker.listContainers([]),
    docker.listContainers([`${LABEL.project}=${project}`], { size: true }),
  ]);
  const sized = new Map(ours.map((c) => [c.Id, c.SizeRw]));
  return { images: images.map(hostImage), containers: all.map((c) => hostContainer(c, sized.get(c.Id))) };
}

export function hostImage(i: ImageSummary): HostImage {
  return {
    id: i.Id,
    parentId: i.ParentId || undefined,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    labels: i.Labels ?? {},
    size: i.Size,
  };
}

export function hostContainer(c: ContainerSummary, sizeRw = c.SizeRw): HostContainer {
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    imageId: c.ImageID,
    labels: c.Labels ?? {},
    state: c.State,
    ...(sizeRw !== undefined ? { sizeRw } : {}),
  };
}

/** `<dataDir>/work/<project>/<build>`: each with its build's status (undefined: no such build) and its size. */
async function worktrees(store: Pick<Store, 'builds'>, dir: string): Promise<WorktreeFact[]> {
  if (!existsSync(dir)) return [];
  const out: WorktreeFact[] = [];
  for (const name of await readdir(dir)) {
    if (!/^\d+$/.test(name)) continue;
    const full = path.join(dir, name);
    out.push({ buildId: Number(name), path: full, bytes: await treeBytes(full), status: store.builds.get(Number(name))?.status });
  }
  return out;
}

/** Bytes of the files under a path (symlinks not followed); what cannot be read counts 0. */
export async function treeBytes(p: string): Promise<number> {
  try {
    const st = await lstat(p);
    if (!st.isDirectory()) return st.size;
    let n = 0;
    for (const name of await readdir(p)) n += await treeBytes(path.join(p, name));
    return n;
  } catch {
    return 0;
  }
}
