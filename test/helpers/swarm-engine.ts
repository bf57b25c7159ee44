import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SwarmClient } from '../../engine/docker/swarm-client.js';
import { appServiceSpec } from '../../engine/swarm/service-spec.js';
import type { SwarmServiceSpec } from '../../engine/swarm/types.js';

const run = promisify(execFile);
const HOST = path.resolve(import.meta.dirname, '..', '..', 'src', 'host');
const ENGINE = path.join(HOST, 'swarm-engine.sh');
const WORKER = path.join(HOST, 'swarm-worker.sh');
const sh = (script: string, args: string[]) => run('bash', [script, ...args], { timeout: 90_000 });

/** A second Docker engine in swarm mode, started by the repo's own script for one test file. */
export interface SwarmEngine {
  /** Its unix socket. */
  socket: string;
  /** A VXLAN id of its own for the overlays a test makes: swarms of parallel test files share the host's network namespace. */
  vxlanId: number;
  client: SwarmClient;
  /** A worker node in a network namespace of its own, when asked for. */
  worker?: SwarmWorker;
  stop(): Promise<void>;
}

export interface SwarmWorker {
  name: string;
  socket: string;
  /** The node's Docker (to load images into, to look at its containers). */
  client: SwarmClient;
  /** kill -9 of its dockerd: the node goes away as a crashed host would. */
  kill(): Promise<void>;
}

/**
 * Starts a swarm engine with its roots in a fresh short directory (unix socket paths are limited),
 * its swarm on `port`; with `worker`, a second node in a network namespace the test owns (a veth
 * pair on a /30 of 10.250.0.0/16), joined as a worker. `stop()` stops both and removes everything.
 */
export async function startSwarmEngine(port: number, o: { worker?: string } = {}): Promise<SwarmEngine> {
  const dir = mkdtempSync('/tmp/gsw-');
  const workerDir = o.worker ? mkdtempSync('/tmp/gsw-') : undefined;
  const block = randomInt(0, 16_384) * 4;
  const hostAddr = `10.250.${block >> 8}.${(block & 255) + 1}`;
  const nodeAddr = `10.250.${block >> 8}.${(block & 255) + 2}`;
  const stop = async () => {
    if (workerDir && o.worker) await sh(WORKER, ['stop', workerDir, o.worker]).catch(() => undefined);
    await sh(ENGINE, ['stop', dir]);
  };
  try {
    if (workerDir && o.worker) await sh(WORKER, ['net', workerDir, o.worker, hostAddr, nodeAddr]);
    const { stdout } = await sh(ENGINE, ['start', dir, String(port), workerDir ? hostAddr : '127.0.0.1']);
    const socket = stdout.trim();
    let worker: SwarmWorker | undefined;
    if (workerDir && o.worker) {
      const name = o.worker;
      const started = await sh(WORKER, ['start', workerDir, name, hostAddr, nodeAddr, socket, String(port)]);
      const workerSocket = started.stdout.trim();
      worker = {
        name,
        socket: workerSocket,
        client: new SwarmClient(workerSocket),
        kill: async () => {
          await sh(WORKER, ['kill', workerDir]);
        },
      };
    }
    return { socket, client: new SwarmClient(socket), worker, stop, vxlanId: randomInt(10_000, 16_000_000) };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Runs `script` (sh) in a one-off container on the overlay `network` of the swarm engine, as the
 * front proxy would see the tasks from there, and returns what it printed.
 */
export async function runOnOverlay(
  client: SwarmClient,
  o: { image: string; network: string; labels: Record<string, string>; script: string },
): Promise<string> {
  const probe = await client.api.createContainer({
    Image: o.image,
    Cmd: ['sh', '-c', o.script],
    Labels: o.labels,
    // a terminal: the log is the plain text, not Docker's multiplexed frames
    Tty: true,
    HostConfig: { NetworkMode: o.network },
  });
  try {
    await probe.start();
    await probe.wait();
    return (await probe.logs({ stdout: true, stderr: true })).toString('utf8');
  } finally {
    await probe.remove({ force: true });
  }
}

const SECOND = 1_000_000_000;

/**
 * A release's `web` app as a Swarm service of the busybox image: `script` (sh) runs before busybox
 * httpd serves /www on 8080, and the task is healthy once /www/health answers.
 */
export function webService(o: {
  project: string;
  release: string;
  replicas: number;
  imageId: string;
  network: string;
  labels: Record<string, string>;
  script?: string;
  command?: string[];
  constraints?: string[];
}): SwarmServiceSpec {
  return appServiceSpec({
    project: o.project,
    app: 'web',
    release: o.release,
    buildId: 1,
    commit: 'c'.repeat(40),
    imageId: o.imageId,
    replicas: o.replicas,
    network: o.network,
    env: { GREENCI_VERSION: o.release },
    command: o.command ?? ['sh', '-c', `mkdir -p /www && ${o.script ?? 'echo ok > /www/health'} && exec httpd -f -p 8080 -h /www`],
    healthcheck: {
      Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health'],
      Interval: SECOND / 4,
      Timeout: SECOND,
      Retries: 20,
      StartPeriod: 0,
    },
    constraints: o.constraints ?? [],
    labels: o.labels,
  });
}
