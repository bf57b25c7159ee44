import type Docker from 'dockerode';
import { dockerError } from './docker-error.js';
import type { SystemPort } from './port.js';
import type { DiskUsage } from './types.js';

/** What the engine says of itself: where it keeps its data, and the disk its volumes and build cache take. */
export class DockerSystem implements SystemPort {
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
    try {
      df = await this.api.df();
    } catch (err) {
      throw dockerError('system df', err);
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
