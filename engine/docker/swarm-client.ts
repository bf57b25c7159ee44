import Docker from 'dockerode';
import { dockerError, isNotFound } from './docker-error.js';
import { AbortError, ExternalCommandError } from '../errors.js';
import { sleep } from '../time.js';
import { taskVerdict, type TaskVerdict } from '../swarm/task-verdict.js';
import type { SwarmServiceSpec, SwarmTask } from '../swarm/types.js';

/** A swarm node as greenci shows it. */
export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  availability: 'active' | 'pause' | 'drain';
  addr?: string;
}

/**
 * A swarm's manager, through its Docker Engine API (a unix socket here; `ssh://` works the same
 * way with dockerode): images brought to its nodes without a registry, production's overlay
 * network, services created, watched and removed. The only module that talks to a swarm.
 */
export class SwarmClient {
  readonly api: Docker;

  constructor(readonly socketPath: string) {
    this.api = new Docker({ socketPath });
  }

  /** Whether this engine is a swarm manager now (`docker swarm init` was run on it). */
  async isManager(): Promise<boolean> {
    try {
      const info = (await this.api.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
      return info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true;
    } catch (err) {
      throw dockerError('info', err);
    }
  }

  /**
   * Puts an image on this node without a registry: `docker save` from `from`, streamed into this
   * engine's `docker load`, then checked by id. Nothing moves when the node has the image already.
   */
  async distributeImage(from: Docker, ref: string): Promise<{ id: string; moved: boolean }> {
    let id: string;
    try {
      id = (await from.getImage(ref).inspect()).Id;
    } catch (err) {
      throw dockerError('image inspect', err);
    }
    if (await this.hasImage(id)) return { id, moved: false };
    try {
      // saved by the name asked for, so the node gets the tag too (services use the id either way)
      const tar = await from.getImage(ref).get();
      const answer = await this.api.loadImage(tar, { quiet: true });
      // the answer is a progress stream: read it to the end (an error shows there)
      const text = await new Promise<string>((resolve, reject) => {
        let out = '';
        answer.on('data', (c: Buffer) => (out += c.toString()));
        answer.on('end', () => resolve(out));
        answer.on('error', reject);
      });
      const failed = /"error(?:Detail)?"\s*:\s*(?:\{[^}]*"message"\s*:\s*)?"([^"]+)"/.exec(text);
      if (failed) throw new ExternalCommandError('docker', ['load'], null, failed[1]);
    } catch (err) {
      if (err instanceof ExternalCommandError) throw err;
      throw dockerError('load', err);
    }
    if (!(await this.hasImage(id)))
      throw new ExternalCommandError('docker', ['load'], null, `image ${id.slice(0, 19)} is not on the node after loading it`);
    return { id, moved: true };
  }

  async hasImage(id: string): Promise<boolean> {
    try {
      await this.api.getImage(id).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw dockerError('image inspect', err);
    }
  }

  /**
   * The attachable overlay network production's services and the front proxy share (made once).
   * `vxlanId`: its VXLAN id, for when two swarm engines share one network namespace (tests): Swarm
   * numbers each swarm's overlays from 4097, and two interfaces of one id cannot coexist there.
   */
  async ensureOverlay(name: string, labels: Record<string, string>, o: { vxlanId?: number } = {}): Promise<void> {
    try {
      const found = await this.api.listNetworks({ filters: { name: [name] } });
      if (found.some((n) => n.Name === name)) return;
      await this.api.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        Labels: labels,
        CheckDuplicate: true,
        ...(o.vxlanId !== undefined ? { Options: { 'com.docker.network.driver.overlay.vxlanid_list': String(o.vxlanId) } } : {}),
      });
    } catch (err) {
      throw dockerError('network create', err);
    }
  }

  async createService(spec: SwarmServiceSpec): Promise<string> {
    try {
      const service = await this.api.createService(spec as unknown as Docker.CreateServiceOptions);
      return service.id;
    } catch (err) {
      throw dockerError('service create', err);
    }
  }

  async removeService(idOrName: string): Promise<void> {
    try {
      await this.api.getService(idOrName).remove();
    } catch (err) {
      if (!isNotFound(err)) throw dockerError('service rm', err);
    }
  }

  /** Services carrying every one of these labels (`key=value`): names and ids. */
  async listServices(labels: string[]): Promise<{ id: string; name: string; labels: Record<string, string> }[]> {
    try {
      const found = (await this.api.listServices({ filters: { label: labels } })) as {
        ID: string;
        Spec?: { Name?: string; Labels?: Record<string, string> };
      }[];
      return found.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? s.ID, labels: s.Spec?.Labels ?? {} }));
    } catch (err) {
      throw dockerError('service ls', err);
    }
  }

  async tasks(serviceId: string): Promise<SwarmTask[]> {
    try {
      return (await this.api.listTasks({ filters: { service: [serviceId] } })) as SwarmTask[];
    } catch (err) {
      throw dockerError('service ps', err);
    }
  }

  async nodes(): Promise<SwarmNode[]> {
    try {
      const found = (await this.api.listNodes()) as {
        ID: string;
        Description?: { Hostname?: string };
        Spec?: { Role?: SwarmNode['role']; Availability?: SwarmNode['availability'] };
        Status?: { State?: string; Addr?: string };
      }[];
      return found
        .map((n) => ({
          id: n.ID,
          hostname: n.Description?.Hostname ?? n.ID.slice(0, 12),
          role: n.Spec?.Role ?? 'worker',
          state: n.Status?.State ?? 'unknown',
          availability: n.Spec?.Availability ?? 'active',
          ...(n.Status?.Addr ? { addr: n.Status.Addr } : {}),
        }))
        .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
    } catch (err) {
      throw dockerError('node ls', err);
    }
  }

  /**
   * Waits until the service has `desired` tasks running (healthy, when it has a health check), or
   * one fails: Swarm's reason, with the node's name. `onProgress` hears each change of what it waits for.
   */
  async waitReady(
    serviceId: string,
    desired: number,
    o: { timeoutMs: number; signal?: AbortSignal; pollMs?: number; onProgress?: (waiting: string) => void },
  ): Promise<Exclude<TaskVerdict, { kind: 'starting' }>> {
    const until = Date.now() + o.timeoutMs;
    const names = new Map((await this.nodes()).map((n) => [n.id, n.hostname]));
    let said = '';
    for (;;) {
      if (o.signal?.aborted) throw new AbortError();
      const v = taskVerdict(await this.tasks(serviceId), desired, (id) => names.get(id) ?? id.slice(0, 12));
      if (v.kind !== 'starting') return v;
      if (v.waiting !== said) o.onProgress?.((said = v.waiting));
      if (Date.now() > until)
        return {
          kind: 'failed',
          reason: `${v.running} of ${desired} tasks running after ${Math.round(o.timeoutMs / 1000)} s (${v.waiting})`,
        };
      await sleep(o.pollMs ?? 250, o.signal);
    }
  }
}
