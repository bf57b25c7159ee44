import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ExternalCommandError, throwIfAborted } from '../errors.js';
import { lineSplitter } from '../lines.js';
import { sleep } from '../time.js';
import { dockerError } from './docker-error.js';
import type { ContainersPort, RunsPort } from './port.js';
import type { ContainerSpec, RunOptions, RunResult } from './types.js';

/** Resolves with the exit code once the container's state says it exited; never while `polling.stop` is false and it runs. */
async function exitedState(container: Docker.Container, polling: { stop: boolean }): Promise<{ StatusCode: number }> {
  while (!polling.stop) {
    await sleep(500);
    if (polling.stop) break;
    const info = await container.inspect().catch(() => undefined);
    const st = info?.State;
    if (st && !st.Running && (st.Status === 'exited' || st.Status === 'dead')) return { StatusCode: st.ExitCode };
  }
  return new Promise(() => undefined);
}

/** Commands run to their end on the Docker engine: an exec in a running container, a one-off container. */
export class DockerRuns implements RunsPort {
  constructor(
    private readonly api: Docker,
    private readonly containers: Pick<ContainersPort, 'createContainer' | 'startContainer' | 'removeContainer'>,
  ) {}

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
      return info.Running ? undefined : (info.ExitCode ?? undefined);
    } catch {
      return undefined;
    }
  }

  async runToCompletion(spec: ContainerSpec, opts: RunOptions): Promise<RunResult> {
    throwIfAborted(opts.signal);
    const id = await this.containers.createContainer(spec);
    const container = this.api.getContainer(id);
    const onAbort = () => void this.containers.removeContainer(id);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      throwIfAborted(opts.signal); // cancelled while the container was being created
      // 'next-exit': the default 'not-running' is already true for a created container and answers 0 at once
      const waiting = container.wait({ condition: 'next-exit' });
      waiting.catch(() => undefined); // awaited below; a start failure must not leave it unhandled
      await this.containers.startContainer(id);
      const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
      const out = lineSplitter((l) => opts.onLine(l, 'stdout'));
      const err = lineSplitter((l) => opts.onLine(l, 'stderr'));
      const stdout = new PassThrough().on('data', (c) => out.push(c));
      const stderr = new PassThrough().on('data', (c) => err.push(c));
      this.api.modem.demuxStream(logs, stdout, stderr);
      const logsDone = new Promise<void>(
        (resolve) => (logs.on('end', resolve), logs.on('close', resolve), logs.on('error', () => resolve())),
      );
      let timedOut = false;
      timer = setTimeout(() => {
        timedOut = true;
        void container.kill().catch(() => undefined);
      }, opts.timeoutMs);
      // the wait asked for before the start may reach the engine after a container that exits at once
      // has exited ('next-exit' would then wait for good): its state, looked at now and then, answers too
      const polling = { stop: false };
      const result = (await Promise.race([waiting, exitedState(container, polling)]).finally(() => {
        polling.stop = true;
      })) as { StatusCode: number };
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
      await this.containers.removeContainer(id);
    }
  }
}
