import { Gauge, type Registry } from 'prom-client';
import type { Engine } from '../../engine/index.js';
import type { DiskReport } from '../../engine/prune/disk.js';

/** How long one disk reading serves scrapes: reading it lists every image and asks Docker's `system df` (seconds on a busy host). */
const FRESH_MS = 30_000;

const USED: [keyof DiskReport['greenci'], string][] = [
  ['images', 'images'],
  ['buildCache', 'build_cache'],
  ['containers', 'containers'],
  ['volumes', 'volumes'],
  ['database', 'database'],
  ['dataDir', 'data_dir'],
];

/**
 * The disk gauges: what greenci's things take (`greenci_disk_used_bytes{kind}`) and the free and
 * total bytes of Docker's data root and greenci's data dir (`greenci_disk_free_bytes`,
 * `greenci_disk_size_bytes` by `filesystem`). A scrape never waits for Docker: it shows the last
 * reading, and starts the next in the background once that is 30 s old; before the first (the
 * first scrape), or after a failed one (Docker not answering), the gauges have no series.
 */
export function registerDiskMetrics(registry: Registry, engine: Pick<Engine, 'disk'>): void {
  let last: DiskReport | undefined;
  let readAt = 0;
  let reading = false;
  const refresh = () => {
    if (reading || Date.now() - readAt < FRESH_MS) return;
    reading = true;
    readAt = Date.now();
    engine
      .disk()
      .then(
        (d) => (last = d),
        () => (last = undefined),
      )
      .finally(() => (reading = false));
  };
  const disk = async (): Promise<DiskReport | undefined> => (refresh(), last);
  new Gauge({
    name: 'greenci_disk_used_bytes',
    help: "Bytes greenci's own things take: images (their own layers), the build cache under them, containers' writable layers, volumes, its database, its data dir",
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const d = await disk();
      this.reset();
      if (d) for (const [key, kind] of USED) this.set({ kind }, d.greenci[key]);
    },
  });
  const space = (name: string, help: string, pick: (f: DiskReport['filesystems'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['filesystem', 'path'],
      registers: [registry],
      async collect() {
        const d = await disk();
        this.reset();
        for (const f of d?.filesystems ?? []) this.set({ filesystem: f.name === 'docker' ? 'docker' : 'data_dir', path: f.path }, pick(f));
      },
    });
  space(
    'greenci_disk_free_bytes',
    "Free bytes on Docker's data root and greenci's data dir (what an unprivileged writer may still use)",
    (f) => f.free,
  );
  space('greenci_disk_size_bytes', "Total bytes of the filesystems of Docker's data root and greenci's data dir", (f) => f.total);
}
