import type { Readable, Writable } from 'node:stream';
import Docker from 'dockerode';
import { whenSinkGone } from '../sink-gone.js';
import { logDemuxer } from './demux.js';
import { dockerError } from './docker-error.js';

/** A command run in a container to its end: its exit code and the last of what it said on stderr. */
export interface ExecOutcome {
  exitCode: number;
  stderr: string;
}

/**
 * Streams of a container's data, for backups and restores: a command's stdout into a sink, a
 * source into a command's stdin (exec form, no shell), and a path's files as a tar (Docker's
 * archive API, which needs no shell in the image and works on a stopped container).
 */
export interface DataStreamsPort {
  /** Runs `argv` in the running container, writing its stdout into `sink` (which it does not end). */
  execToSink(container: string, argv: string[], sink: Writable): Promise<ExecOutcome>;
  /** Runs `argv` in the running container with `source` as its stdin, to the end. */
  execFromSource(container: string, argv: string[], source: Readable): Promise<ExecOutcome>;
  /** A tar of `path` in the container (running or stopped). */
  getArchive(container: string, path: string): Promise<Readable>;
  /** Unpacks a tar into `dir` of the container (created, not started, or stopped). */
  putArchive(container: string, dir: string, tar: Readable): Promise<void>;
}

const STDERR_KEPT = 2000;

export class DockerDataStreams implements DataStreamsPort {
  private readonly api: Docker;

  constructor(socketPath = '/var/run/docker.sock') {
    this.api = new Docker({ socketPath });
  }

  async execToSink(container: string, argv: string[], sink: Writable): Promise<ExecOutcome> {
    try {
      const exec = await this.api.getContainer(container).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, Tty: false });
      const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream & { pause(): void; resume(): void };
      let stderr = '';
      const demux = logDemuxer((which, data) => {
        if (which === 'stderr') {
          stderr = (stderr + data.toString()).slice(-STDERR_KEPT);
          return;
        }
        // the file takes its time: hold Docker's stream until it caught up
        if (!sink.write(data)) {
          stream.pause();
          sink.once('drain', () => stream.resume());
        }
      });
      let unwatch: () => void = () => undefined;
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => demux.push(chunk));
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', reject);
        // the sink gone before the command is done (its file could not be written): stop reading, or
        // Docker's stream, paused for a drain that never comes, would hold this exec forever
        unwatch = whenSinkGone(sink, (why) => {
          (stream as unknown as { destroy(): void }).destroy();
          reject(why);
        });
      }).finally(() => unwatch());
      demux.end();
      return { exitCode: await exitCodeOf(exec), stderr: stderr.trim() };
    } catch (err) {
      throw dockerError('exec', err);
    }
  }

  async execFromSource(container: string, argv: string[], source: Readable): Promise<ExecOutcome> {
    try {
      const exec = await this.api.getContainer(container).exec({
        Cmd: argv,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = (await exec.start({ hijack: true, stdin: true })) as NodeJS.ReadWriteStream;
      let output = '';
      const demux = logDemuxer((_which, data) => {
        output = (output + data.toString()).slice(-STDERR_KEPT);
      });
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => demux.push(chunk));
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', reject);
      });
      await new Promise<void>((resolve, reject) => {
        source.on('error', reject);
        source.on('end', () => resolve());
        source.pipe(stream as unknown as Writable, { end: false });
      });
      // half-close: the command sees the end of its stdin, Docker still sends what it prints
      (stream as unknown as { end(): void }).end();
      await ended;
      demux.end();
      return { exitCode: await exitCodeOf(exec), stderr: output.trim() };
    } catch (err) {
      throw dockerError('exec', err);
    }
  }

  async getArchive(container: string, path: string): Promise<Readable> {
    try {
      return (await this.api.getContainer(container).getArchive({ path })) as unknown as Readable;
    } catch (err) {
      throw dockerError('cp', err);
    }
  }

  async putArchive(container: string, dir: string, tar: Readable): Promise<void> {
    try {
      await this.api.getContainer(container).putArchive(tar, { path: dir });
    } catch (err) {
      throw dockerError('cp', err);
    }
  }
}

async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  // the stream can end a moment before the engine records the exit code
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, 20));
  }
  return (await exec.inspect()).ExitCode ?? -1;
}
