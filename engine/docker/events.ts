import type Docker from 'dockerode';
import { lineSplitter } from '../lines.js';
import { dockerError } from './docker-error.js';
import type { EventsPort } from './port.js';
import type { DockerEvent } from './types.js';

/** The Docker engine's event stream. */
export class DockerEvents implements EventsPort {
  constructor(private readonly api: Docker) {}

  async events(
    filters: Record<string, string[]>,
    signal: AbortSignal,
    onEvent: (e: DockerEvent) => void,
    onOpen?: () => void,
  ): Promise<'aborted' | 'ended'> {
    if (signal.aborted) return 'aborted';
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.api.getEvents({ filters, abortSignal: signal } as Docker.GetEventsOptions);
    } catch (err) {
      if (signal.aborted) return 'aborted';
      throw dockerError('events', err);
    }
    const destroy = () => (stream as unknown as { destroy(): void }).destroy();
    if (signal.aborted) return (destroy(), 'aborted');
    onOpen?.();
    return new Promise((resolve, reject) => {
      const split = lineSplitter((line) => {
        let e: DockerEvent;
        try {
          e = JSON.parse(line) as DockerEvent;
        } catch {
          return; // a torn or blank line is skipped, never fatal
        }
        onEvent(e);
      });
      const onAbort = () => (destroy(), resolve('aborted'));
      const done = (how: 'ended' | Error) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve('aborted');
        else if (how === 'ended') resolve('ended');
        else reject(dockerError('events', how));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (c: Buffer) => split.push(c));
      stream.on('end', () => done('ended'));
      stream.on('close', () => done('ended'));
      stream.on('error', (err: Error) => done(err));
    });
  }
}
