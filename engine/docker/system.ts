import type Docker from 'dockerode';
import { dockerError } from './docker-error.js';
import type { SystemPort } from './port.js';
import type { DiskUsage } from './types.js';

/**
 * Tries of a `system df` that Docker refused because another process's was running: about 20 s in
 * all, as one reading takes seconds on a busy engine (9 s of tries ran out here while a CI run
 * shared the engine) and the control API gives a caller 30 s.
 */
const DF_BUSY_ATTEMPTS = 14;
/** Tries of a `system df` whose connection to the engine broke mid-way (a socket hiccup). */
const DF_SOCKET_ATTEMPTS = 3;

/** Docker refused a disk usage reading because another is under way: worth asking again. */
export function dfBusy(err: unknown): boolean {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  return /disk usage operation is already running/i.test(`${e.json?.message ?? ''} ${e.message ?? ''}`);
}

/** The connection to the engine broke while it was answering (not "no engine": ENOENT/ECONNREFUSED say Docker is down). */
function socketHiccup(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up/i.test(e.message ?? '');
}

/**
 * Whether a failed `system df` (try number `attempt`, from 1) is asked again, and after how many ms:
 * undefined to give up. Only errors that pass are retried: the engine busy with another reading
 * (backing off until it ends) or a broken connection (once or twice, shortly); anything else
 * (Docker down, a real engine error) fails at once.
 */
export function dfRetryDelay(err: unknown, attempt: number, jitter = Math.random()): number | undefined {
  if (dfBusy(err)) return attempt < DF_BUSY_ATTEMPTS ? Math.min(250 * attempt, 2000) + jitter * 250 : undefined;
  if (socketHiccup(err)) return attempt < DF_SOCKET_ATTEMPTS ? 100 * attempt + jitter * 100 : undefined;
  return undefined;
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
        const delay = dfRetryDelay(err, attempt);
        if (delay === undefined) throw dockerError('system df', err);
        await new Promise((r) => setTimeout(r, delay));
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
