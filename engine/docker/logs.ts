import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { lineSplitter } from '../lines.js';
import { demuxBuffer, logDemuxer } from './demux.js';
import { dockerError, isNotFound } from './docker-error.js';
import type { LogsPort } from './port.js';
import type { FollowLogsOptions } from './types.js';

/** What containers print, read back from the Docker engine. */
export class DockerLogs implements LogsPort {
  constructor(private readonly api: Docker) {}

  async containerLogs(id: string, tail = 30): Promise<string[]> {
    try {
      const buf = (await this.api.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demuxBuffer(buf);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw dockerError('logs', err);
    }
  }

  async followContainerLogs(id: string, opts: FollowLogsOptions): Promise<void> {
    if (opts.signal?.aborted) return;
    let res: Buffer | NodeJS.ReadableStream;
    try {
      const tail = opts.tail === undefined ? 'all' : Math.max(0, Math.floor(opts.tail));
      res = (await this.api
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail, follow: opts.follow === true, abortSignal: opts.signal } as { follow: true })) as
        | Buffer
        | NodeJS.ReadableStream;
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw dockerError('logs', err);
    }
    const text = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const lines = { stdout: lineSplitter((l) => opts.onLine(l, 'stdout')), stderr: lineSplitter((l) => opts.onLine(l, 'stderr')) };
    const demux = logDemuxer((stream, data) => lines[stream].push(text[stream].write(data)));
    const finish = () => {
      demux.end();
      for (const s of ['stdout', 'stderr'] as const) lines[s].push(text[s].end()), lines[s].flush();
    };
    // without follow the engine answers the whole log at once
    if (Buffer.isBuffer(res)) return (demux.push(res), finish());
    const stream = res;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        finish();
        if (err && !opts.signal?.aborted) reject(dockerError('logs', err));
        else resolve();
      };
      const onAbort = () => ((stream as unknown as { destroy(): void }).destroy(), settle());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (c: Buffer) => demux.push(c));
      stream.on('end', () => settle());
      stream.on('close', () => settle());
      stream.on('error', (err: Error) => settle(err));
    });
  }
}
