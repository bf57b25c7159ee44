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

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.api.getNetwork(name).remove();
    } catch (err) {
      if (!isNotFound(err)) throw dockerError('network rm', err);
    }
  }
}
