import type Docker from 'dockerode';
import { dockerError, isConflict, isNotFound } from './docker-error.js';
import type { NetworksPort } from './port.js';

/** Networks on the Docker engine: one bridge per environment. */
export class DockerNetworks implements NetworksPort {
  constructor(private readonly api: Docker) {}

  async ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
    const existing = await this.api.listNetworks({ filters: { name: [name] } });
    if (existing.some((n) => n.Name === name)) return;
    try {
      await this.api.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    } catch (err) {
      if (!isConflict(err)) throw dockerError('network create', err);
    }
  }

  async connectNetwork(name: string, containerId: string, aliases: string[] = []): Promise<void> {
    try {
      await this.api.getNetwork(name).connect({ Container: containerId, EndpointConfig: { Aliases: aliases } });
    } catch (err) {
      // already connected: where this call would leave it
      if (!/already exists|already attached/i.test(String((err as Error).message))) throw dockerError('network connect', err);
    }
  }

  async listNetworks(labels: string[]): Promise<{ Name: string; Labels: Record<string, string> }[]> {
    try {
      const found = await this.api.listNetworks({ filters: { label: labels } });
      return found.map((n) => ({ Name: n.Name, Labels: n.Labels ?? {} }));
    } catch (err) {
      throw dockerError('network ls', err);
    }
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.api.getNetwork(name).remove();
    } catch (err) {
      if (!isNotFound(err)) throw dockerError('network rm', err);
    }
  }
}
