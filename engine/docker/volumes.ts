import type Docker from 'dockerode';
import { dockerError, isNotFound } from './docker-error.js';
import type { VolumesPort } from './port.js';

/** Named volumes on the Docker engine: the databases' data. */
export class DockerVolumes implements VolumesPort {
  constructor(private readonly api: Docker) {}

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

  async listVolumes(labels: string[]): Promise<string[]> {
    try {
      const found = await this.api.listVolumes({ filters: { label: labels } });
      return (found.Volumes ?? []).map((v) => v.Name).sort();
    } catch (err) {
      throw dockerError('volume ls', err);
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
}
