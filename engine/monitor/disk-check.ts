import { stat, statfs } from 'node:fs/promises';
import type { GreenciConfig } from '../../config/schema.js';
import type { DockerPort } from '../docker/port.js';
import type { HealthRecord } from '../model.js';
import { diskVerdict } from '../prune/disk.js';
import { withTimeout } from '../time.js';
import type { Observation } from './checks.js';

/** The key of a filesystem's check: named after Docker's data root when it holds it, else greenci's data dir. */
export const DISK_KEYS = { docker: 'greenci/disk/docker', dataDir: 'greenci/disk/dataDir' } as const;

/** Docker's data root is asked again this often (Docker answers `info` in 20-170 ms on a loaded host; `statfs` takes 0.05 ms). */
const DATA_ROOT_TTL_MS = 10 * 60_000;

interface Place {
  name: keyof typeof DISK_KEYS;
  what: string;
  path: string;
}

/**
 * The free space of the filesystems greenci fills: Docker's data root (images, containers,
 * volumes) and greenci's data dir (the database, worktrees, backups), one check per filesystem
 * (both on one disk: one check naming both), judged against `retention.minFree` with a margin to
 * recover (`diskVerdict`). Cheap enough for every round: `statfs` and `stat` of two paths; Docker's
 * data root is remembered between rounds, so a Docker that stopped answering leaves the check on.
 */
export class DiskCheck {
  private root?: { path: string; at: number };

  constructor(private readonly docker: Pick<DockerPort, 'dataRoot'>) {}

  async observe(
    cfg: GreenciConfig,
    known: Map<string, HealthRecord>,
    now = Date.now(),
  ): Promise<{ observations: Observation[]; retire: string[] }> {
    const root = await this.dataRoot(cfg.monitor.timeout, now);
    const places: Place[] = [
      ...(root ? [{ name: 'docker' as const, what: "Docker's data root", path: root }] : []),
      { name: 'dataDir', what: "greenci's data dir", path: cfg.dataDir },
    ];
    // a path not on this host (Docker's, on a remote engine) or removed under greenci: not checked this round
    const read = (
      await Promise.all(
        places.map(async (p) => {
          const [fs, st] = await Promise.all([statfs(p.path), stat(p.path)]).catch(() => []);
          return fs && st ? { ...p, dev: st.dev, free: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize } : undefined;
        }),
      )
    ).filter((r) => r !== undefined);
    const byDev = new Map<number, typeof read>();
    for (const r of read) byDev.set(r.dev, [...(byDev.get(r.dev) ?? []), r]);
    const observations: Observation[] = [];
    for (const group of byDev.values()) {
      const first = group[0];
      const key = DISK_KEYS[first.name];
      const wasLow = known.get(key)?.state === 'down';
      const verdict = diskVerdict(first.free, first.total, cfg.retention.minFree, wasLow);
      const where = group.map((g) => `${g.what} ${g.path}`).join(' and ');
      observations.push({
        key,
        kind: 'greenci',
        title: `greenci disk ${group.map((g) => g.path).join(', ')}`,
        ok: verdict.ok,
        detail: verdict.detail && `${verdict.detail}, on the filesystem of ${where}`,
      });
    }
    // the data dir's own check is gone when it shares Docker's filesystem; Docker's only when its root is known
    const checked = new Set(observations.map((o) => o.key));
    const retire = root && read.length === places.length ? Object.values(DISK_KEYS).filter((k) => !checked.has(k) && known.has(k)) : [];
    return { observations, retire };
  }

  private async dataRoot(timeoutMs: number, now: number): Promise<string | undefined> {
    if (this.root && now - this.root.at < DATA_ROOT_TTL_MS) return this.root.path;
    try {
      this.root = { path: await withTimeout(this.docker.dataRoot(), timeoutMs, 'Docker did not say its data root'), at: now };
    } catch {
      // Docker is not answering (its own check says so): the root it had keeps being checked
    }
    return this.root?.path;
  }
}
