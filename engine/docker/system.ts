import type Docker from 'dockerode';
import { dockerError } from './docker-error.js';
import type { SystemPort } from './port.js';
import type { DiskUsage } from './types.js';

/** Tries of a `system df` that Docker refused because another process's was running (about 10 s in all). */
const DF_ATTEMPTS = 8;

/** Docker refused a disk usage reading because another is under way: worth asking again. */
export function dfBusy(err: unknown): boolean {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  return /disk usage operation is already running/i.test(`${e.json?.message ?? ''} ${e.message ?? ''}`);
}

/** What the engine says of itself: where it keeps its data, and the disk its volumes and build cache take. */
export class DockerSystem implements SystemPort {
  private reading?: Promise<Awaited<ReturnType<Docker['df']>>>;

  constructor(private readonly api: Docker) {}

  async dataRoot(): Promise<string> {
    try {
      return ((await this.api.info()) as { DockerRootDir: string }).DockerRootDir;
    } catch (err) {
      throw dockerError('info', err);
    }
  }

  async diskUsage(): Promise<DiskUsage> {
    let df: {
      Volumes?: { Name: string; Labels: Record<string, string> | null; UsageData?: { Size: number } | null }[] | null;
      BuilderSize?: number;
    };
    for (let attempt = 1; ; attempt++) {
      try {
        // callers in this process share the reading under way
        this.reading ??= this.api.df().finally(() => (this.reading = undefined));
        df = await this.reading;
        break;
      } catch (err) {
        // Docker answers one `system df` at a time (500 "a disk usage operation is already running"
        // to the others: another greenci process, the monitor, an operator's docker CLI): wait for it
        if (!dfBusy(err) || attempt >= DF_ATTEMPTS) throw dockerError('system df', err);
        await new Promise((r) => setTimeout(r, 250 * attempt + Math.random() * 250));
      }
    }
    return {
      volumes: (df.Volumes ?? []).map((v) => ({
        name: v.Name,
        labels: v.Labels ?? {},
        // -1: the engine did not measure it
        bytes: v.UsageData && v.UsageData.Size >= 0 ? v.UsageData.Size : undefined,
      })),
      buildCacheBytes: df.BuilderSize,
    };
  }
}
