import type Docker from 'dockerode';
import { dockerError, isConflict, isNotFound } from './docker-error.js';
import type { StatsPort } from './port.js';
import { statsSample, type RawStats, type StatsSample } from './stats.js';

/** Containers' resource use as the Docker engine counts it (the pure sample builder is stats.ts). */
export class DockerStats implements StatsPort {
  constructor(private readonly api: Docker) {}

  async containerStats(id: string, signal?: AbortSignal): Promise<StatsSample | undefined> {
    try {
      // one-shot: no waiting for a second sample, the caller keeps the previous one
      const raw = await this.api.getContainer(id).stats({ stream: false, 'one-shot': true, abortSignal: signal } as { stream: false });
      return statsSample(raw as unknown as RawStats);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return undefined;
      throw dockerError('stats', err);
    }
  }
}
