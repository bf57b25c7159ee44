import type Docker from 'dockerode';
import { dockerError, isNotFound, isNotModified } from './docker-error.js';
import type { ContainersPort } from './port.js';
import type { ContainerDetails, ContainerSpec, ContainerSummary } from './types.js';

/** Containers on the Docker engine: listing, inspecting, and their lifecycle. */
export class DockerContainers implements ContainersPort {
  constructor(private readonly api: Docker) {}

  async listContainers(labels: string[], o: { size?: boolean } = {}): Promise<ContainerSummary[]> {
    try {
      return await this.api.listContainers({ all: true, size: o.size === true, filters: { label: labels } });
    } catch (err) {
      throw dockerError('ps', err);
    }
  }

  async inspectContainer(id: string): Promise<ContainerDetails | undefined> {
    try {
      return await this.api.getContainer(id).inspect();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('inspect', err);
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
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
      if (!isNotModified(err) && !isNotFound(err)) throw dockerError('stop', err);
    }
  }

  async restartContainer(id: string, graceSeconds = 10): Promise<void> {
    try {
      await this.api.getContainer(id).restart({ t: graceSeconds });
    } catch (err) {
      throw dockerError('restart', err);
    }
  }

  async signalContainer(id: string, signal: string): Promise<void> {
    try {
      await this.api.getContainer(id).kill({ signal });
    } catch (err) {
      throw dockerError('kill', err);
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    try {
      await this.api.getContainer(id).rename({ name });
    } catch (err) {
      throw dockerError('rename', err);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.api.getContainer(id).remove({ force: true, v: false });
    } catch (err) {
      // a removal already under way (two callers cleaning up the same container) ends where this one would
      if (!isNotFound(err) && !/already in progress/.test(String((err as Error).message))) throw dockerError('rm', err);
    }
  }
}
