import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { DockerClient } from '../../engine/docker/docker.js';
import { LABEL } from '../../engine/docker/names.js';

export const docker = new DockerClient();

/** A project name no other test uses, so tests can share one Docker engine. */
export function uniqueProject(prefix = 't'): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Ports tests bind on the host come from below the kernel's ephemeral range (32768–60999 here),
 * where Docker's random published ports and outgoing connections take theirs: a port picked there
 * and closed could be taken again before the test's own container binds it (a flake CI saw). Each
 * vitest worker has its own window of PORT_WINDOW ports (by its pool id), and one process hands
 * each port of its window out once before it wraps. Two vitest runs on one machine (a developer's
 * beside a CI clone) get different blocks of windows most of the time (by the vitest process's
 * pid, the workers' parent): their workers share pool ids 1, 2…
 */
const PORT_WINDOW = 150;
const WORKER_SLOTS = 8;
const RUN_SLOTS = 18; // 10000 + 18 * 8 * 150 = 31600: below the ephemeral range
const poolId = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID);
const [run, worker] = Number.isInteger(poolId) ? [process.ppid, poolId] : [process.pid, 0];
const PORT_BASE = 10_000 + ((run % RUN_SLOTS) * WORKER_SLOTS + (worker % WORKER_SLOTS)) * PORT_WINDOW;
let nextPort = 0;

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/** A TCP port free on 127.0.0.1 right now, from this worker's own window (not handed out again before PORT_WINDOW others). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORT_WINDOW; tries++) {
    const port = PORT_BASE + (nextPort++ % PORT_WINDOW);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${PORT_BASE}-${PORT_BASE + PORT_WINDOW - 1}`);
}

/** Removes every container, network, volume and image labelled with the project. */
export async function removeProjectResources(project: string): Promise<void> {
  const label = `${LABEL.project}=${project}`;
  const api = docker.api;
  for (const c of await api.listContainers({ all: true, filters: { label: [label] } }))
    await api
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const n of await api.listNetworks({ filters: { label: [label] } }))
    await api
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  const vols = await api.listVolumes({ filters: { label: [label] } });
  for (const v of vols.Volumes ?? [])
    await api
      .getVolume(v.Name)
      .remove({ force: true })
      .catch(() => undefined);
  for (const i of await api.listImages({ filters: { label: [label] } }))
    await api
      .getImage(i.Id)
      // noprune: the untagged parent layers may be another test's build cache, in use right now
      .remove({ force: true, noprune: true })
      .catch(() => undefined);
}

/** The containers of a project's environment, by service name. */
export async function envContainers(project: string, env: 'test' | 'production') {
  const list = await docker.listContainers([`${LABEL.project}=${project}`, `${LABEL.env}=${env}`]);
  return Object.fromEntries(list.map((c) => [c.Labels[LABEL.service] ?? c.Names[0], c]));
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

export async function sendJson(method: string, url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}
