import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Docker from 'dockerode';
import type { ContainerCreateOptions, ContainerInfo, ContainerInspectInfo } from 'dockerode';
import tarFs from 'tar-fs';
import { AbortError, ExternalCommandError, throwIfAborted } from '../errors.js';
import { lineSplitter } from '../lines.js';
import { contextFilter } from './context-filter.js';
import { demuxBuffer, logDemuxer } from './demux.js';
import { statsSample, type RawStats, type StatsSample } from './stats.js';

/** The one module that talks to the Docker engine (dockerode). Everything else uses this. */

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

/** One message of Docker's event stream (the fields greenci reads). */
export interface DockerEvent {
  Type?: string;
  /** `start`, `die`, `health_status: healthy`... */
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

export interface FollowLogsOptions {
  /** How many of the last lines first (default: all). */
  tail?: number;
  /** Keep the stream open for new lines until the container stops or `signal` fires. */
  follow?: boolean;
  signal?: AbortSignal;
  onLine: LineSink;
}

export interface BuildRequest {
  /** Absolute path of the build context. */
  contextDir: string;
  /** Dockerfile path relative to the context. */
  dockerfile: string;
  tags: string[];
  labels: Record<string, string>;
  buildArgs?: Record<string, string>;
  /** The network RUN steps get: `none` (the default) unless the operator has allowed one. */
  network?: string;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

const isNotFound = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404;
const isConflict = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 409;

function dockerError(action: string, err: unknown): ExternalCommandError {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string; code?: string };
  const detail = e.json?.message ?? e.message ?? String(err);
  const hint = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? ' (is the Docker engine running? try: npm run host)' : '';
  return new ExternalCommandError('docker', [action], e.statusCode ?? null, detail + hint);
}

export class DockerClient {
  readonly api: Docker;
  constructor(readonly socketPath = '/var/run/docker.sock') {
    this.api = new Docker({ socketPath });
  }

  async ping(): Promise<void> {
    try {
      await this.api.ping();
    } catch (err) {
      throw dockerError('ping', err);
    }
  }

  /** Builds an image and returns its id. Fails with the Dockerfile's error (the engine answers 200 even then). */
  async buildImage(req: BuildRequest): Promise<string> {
    throwIfAborted(req.signal);
    const context = tarFs.pack(req.contextDir, { ignore: contextFilter(req.contextDir, req.dockerfile) }) as unknown as NodeJS.ReadableStream;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.api.buildImage(context, {
        t: req.tags[0],
        dockerfile: req.dockerfile,
        labels: req.labels,
        buildargs: req.buildArgs ?? {},
        networkmode: req.network ?? 'none',
        rm: true,
        forcerm: true,
        pull: false,
      } as Docker.ImageBuildOptions);
    } catch (err) {
      throw dockerError('build', err);
    }
    const onAbort = () => (stream as unknown as { destroy(e?: Error): void }).destroy(new AbortError());
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) onAbort(); // cancelled while the context was uploading
    let imageId: string | undefined;
    let failure: string | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const split = lineSplitter((l) => req.onLine(l));
        this.api.modem.followProgress(
          stream,
          (err) => (split.flush(), err ? reject(err) : resolve()),
          (ev: { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
            if (ev.stream) split.push(ev.stream);
            if (ev.aux?.ID) imageId = ev.aux.ID;
            if (ev.error) {
              failure = ev.errorDetail?.message ?? ev.error;
              req.onLine(`ERROR: ${failure}`);
            }
          },
        );
      });
    } catch (err) {
      throwIfAborted(req.signal);
      throw dockerError('build', err);
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
    if (failure) throw new ExternalCommandError('docker', ['build', req.contextDir], null, failure);
    imageId ??= await this.imageId(req.tags[0]);
    if (!imageId) throw new ExternalCommandError('docker', ['build', req.contextDir], null, 'the engine reported no image id');
    for (const tag of req.tags.slice(1)) await this.tagImage(imageId, tag);
    return imageId;
  }

  /** The image id a reference points at, or undefined when there is no such local image. */
  /** The names (`repo:tag`) an image is known by; empty when it has none or is gone. */
  async imageTags(ref: string): Promise<string[]> {
    try {
      return (await this.api.getImage(ref).inspect()).RepoTags ?? [];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw dockerError('image inspect', err);
    }
  }

  /** What a build may need to know of a base image: its id, labels and ONBUILD triggers; undefined when it is not here. */
  async imageInfo(ref: string): Promise<{ id: string; labels: Record<string, string>; onBuild: string[] } | undefined> {
    try {
      const info = await this.api.getImage(ref).inspect();
      return { id: info.Id, labels: info.Config?.Labels ?? {}, onBuild: info.Config?.OnBuild ?? [] };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('image inspect', err);
    }
  }

  async imageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.api.getImage(ref).inspect()).Id;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('image inspect', err);
    }
  }

  async tagImage(imageId: string, ref: string): Promise<void> {
    const i = ref.lastIndexOf(':');
    try {
      await this.api.getImage(imageId).tag({ repo: ref.slice(0, i), tag: ref.slice(i + 1) });
    } catch (err) {
      throw dockerError('tag', err);
    }
  }

  async ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
    const existing = await this.api.listNetworks({ filters: { name: [name] } });
    if (existing.some((n) => n.Name === name)) return;
    try {
      await this.api.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    } catch (err) {
      if (!isConflict(err)) throw dockerError('network create', err);
    }
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.api.getNetwork(name).remove();
    } catch (err) {
      if (!isNotFound(err)) throw dockerError('network rm', err);
    }
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.api.createVolume({ Name: name, Labels: labels });
    } catch (err) {
      throw dockerError('volume create', err);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.api.getVolume(name).remove({ force: true });
    } catch (err) {
      if (!isNotFound(err)) throw dockerError('volume rm', err);
    }
  }

  async volumeExists(name: string): Promise<boolean> {
    try {
      await this.api.getVolume(name).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw dockerError('volume inspect', err);
    }
  }

  /** Containers (running or not) whose labels match every `key=value` given. */
  async listContainers(labels: string[]): Promise<ContainerInfo[]> {
    try {
      return await this.api.listContainers({ all: true, filters: { label: labels } });
    } catch (err) {
      throw dockerError('ps', err);
    }
  }

  async createContainer(spec: ContainerCreateOptions): Promise<string> {
    try {
      return (await this.api.createContainer(spec)).id;
    } catch (err) {
      throw dockerError(`create ${spec.name ?? ''}`.trim(), err);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.api.getContainer(id).start();
    } catch (err) {
      throw dockerError('start', err);
    }
  }

  async stopContainer(id: string, graceSeconds = 10): Promise<void> {
    try {
      await this.api.getContainer(id).stop({ t: graceSeconds });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 304 && !isNotFound(err)) throw dockerError('stop', err);
    }
  }

  async restartContainer(id: string, graceSeconds = 10): Promise<void> {
    try {
      await this.api.getContainer(id).restart({ t: graceSeconds });
    } catch (err) {
      throw dockerError('restart', err);
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    try {
      await this.api.getContainer(id).rename({ name });
    } catch (err) {
      throw dockerError('rename', err);
    }
  }

  /** Removes a container, running or not. Missing containers are not an error. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.api.getContainer(id).remove({ force: true, v: false });
    } catch (err) {
      if (!isNotFound(err) && !/already in progress/.test(String((err as Error).message))) throw dockerError('rm', err);
    }
  }

  async inspectContainer(id: string): Promise<ContainerInspectInfo | undefined> {
    try {
      return await this.api.getContainer(id).inspect();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('inspect', err);
    }
  }

  /**
   * Runs a command inside a running container (exec form, no shell) and returns its exit code,
   * or undefined when it could not be run or ran past the timeout.
   */
  async execExitCode(id: string, cmd: string[], timeoutMs: number): Promise<number | undefined> {
    try {
      const exec = await this.api.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const ended = new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        stream.on('end', () => (clearTimeout(t), resolve(true)));
        stream.on('close', () => (clearTimeout(t), resolve(true)));
        stream.on('error', () => (clearTimeout(t), resolve(false)));
        stream.resume();
      });
      const finished = await ended;
      stream.destroy();
      if (!finished) return undefined;
      const info = await exec.inspect();
      return info.Running ? undefined : info.ExitCode ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** The last `tail` lines a container printed, stdout and stderr together. */
  async containerLogs(id: string, tail = 30): Promise<string[]> {
    try {
      const buf = (await this.api.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demuxBuffer(buf);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw dockerError('logs', err);
    }
  }

  /**
   * Docker's event stream, filtered (e.g. `{type: ['container'], label: ['greenci.project']}`),
   * one parsed message per `onEvent`. `onOpen` runs once the engine has accepted the
   * subscription. Resolves `aborted` when `signal` fires, `ended` when the engine closed the
   * stream (the caller reconnects); rejects when it cannot be opened or breaks.
   */
  async events(filters: Record<string, string[]>, signal: AbortSignal, onEvent: (e: DockerEvent) => void, onOpen?: () => void): Promise<'aborted' | 'ended'> {
    if (signal.aborted) return 'aborted';
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.api.getEvents({ filters, abortSignal: signal } as Docker.GetEventsOptions);
    } catch (err) {
      if (signal.aborted) return 'aborted';
      throw dockerError('events', err);
    }
    const destroy = () => (stream as unknown as { destroy(): void }).destroy();
    if (signal.aborted) return destroy(), 'aborted';
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

  /**
   * One resource sample of a container, without waiting for a second one (`one-shot`; CPU percent
   * needs two samples, which the caller keeps). Undefined when the container is gone or not running.
   */
  async containerStats(id: string, signal?: AbortSignal): Promise<StatsSample | undefined> {
    try {
      const raw = await this.api.getContainer(id).stats({ stream: false, 'one-shot': true, abortSignal: signal } as { stream: false });
      return statsSample(raw as unknown as RawStats);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return undefined;
      throw dockerError('stats', err);
    }
  }

  /**
   * A container's log lines, stdout and stderr apart: the last `tail`, then (with follow) new ones
   * until the container stops (Docker ends the stream) or `signal` fires. Resolves then.
   */
  async followContainerLogs(id: string, opts: FollowLogsOptions): Promise<void> {
    if (opts.signal?.aborted) return;
    let res: Buffer | NodeJS.ReadableStream;
    try {
      const tail = opts.tail === undefined ? 'all' : Math.max(0, Math.floor(opts.tail));
      res = (await this.api.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: opts.follow === true, abortSignal: opts.signal } as { follow: true })) as Buffer | NodeJS.ReadableStream;
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw dockerError('logs', err);
    }
    const text = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const lines = { stdout: lineSplitter((l) => opts.onLine(l, 'stdout')), stderr: lineSplitter((l) => opts.onLine(l, 'stderr')) };
    const demux = logDemuxer((stream, data) => lines[stream].push(text[stream].write(data)));
    const finish = () => {
      demux.end();
      for (const s of ['stdout', 'stderr'] as const) (lines[s].push(text[s].end()), lines[s].flush());
    };
    if (Buffer.isBuffer(res)) return demux.push(res), finish();
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

  /**
   * Creates and starts a one-off container, streams its output line by line, waits for it to
   * exit and removes it. Returns the exit code, or `timedOut` when it ran past timeoutMs (then
   * it is killed). On abort the container is removed and AbortError thrown.
   */
  async runToCompletion(spec: ContainerCreateOptions, opts: { onLine: LineSink; timeoutMs: number; signal?: AbortSignal }): Promise<{ exitCode: number; timedOut: boolean }> {
    throwIfAborted(opts.signal);
    const id = await this.createContainer(spec);
    const container = this.api.getContainer(id);
    const onAbort = () => void this.removeContainer(id);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      throwIfAborted(opts.signal); // cancelled while the container was being created
      // 'next-exit': the default 'not-running' is already true for a created container and answers 0 at once
      const waiting = container.wait({ condition: 'next-exit' });
      waiting.catch(() => undefined); // awaited below; a start failure must not leave it unhandled
      await this.startContainer(id);
      const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
      const out = lineSplitter((l) => opts.onLine(l, 'stdout'));
      const err = lineSplitter((l) => opts.onLine(l, 'stderr'));
      const stdout = new PassThrough().on('data', (c) => out.push(c));
      const stderr = new PassThrough().on('data', (c) => err.push(c));
      this.api.modem.demuxStream(logs, stdout, stderr);
      const logsDone = new Promise<void>((resolve) => (logs.on('end', resolve), logs.on('close', resolve), logs.on('error', () => resolve())));
      let timedOut = false;
      timer = setTimeout(() => {
        timedOut = true;
        void container.kill().catch(() => undefined);
      }, opts.timeoutMs);
      const result = (await waiting) as { StatusCode: number };
      await Promise.race([logsDone, new Promise((r) => setTimeout(r, 2000))]);
      out.flush();
      err.flush();
      throwIfAborted(opts.signal);
      return { exitCode: result.StatusCode, timedOut };
    } catch (err) {
      throwIfAborted(opts.signal);
      throw err instanceof ExternalCommandError ? err : dockerError('run', err);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      await this.removeContainer(id);
    }
  }
}
