import { describe, expect, it } from 'vitest';
import type { EnvironmentSpec, ServiceSpec } from '../../config/project-spec.js';
import type { DeployIdentity } from '../../engine/docker/specs.js';
import { addressOn, releaseAppContainerSpec, sharedNetwork } from '../../engine/release/app-container.js';

const id: DeployIdentity = { project: 'green', env: 'production', release: 'v1.5.0', buildId: 42, commit: 'abc123' };
const production: EnvironmentSpec = {
  bind: '127.0.0.1',
  ports: { billing: 8001 },
  env: { billing: { LOG: 'warn' } },
  restart: 'unless-stopped',
  memoryBytes: 268435456,
  healthTimeoutMs: 60_000,
};
const billing: ServiceSpec = {
  name: 'billing',
  kind: 'app',
  port: 8080,
  health: '/health',
  command: ['node', 'server.js'],
  env: { RATE: '0.5', LOG: 'info' },
  dependsOn: ['billing-db'],
};

describe('releaseAppContainerSpec', () => {
  it("an app of a release: its own name, no host ports, on the release's network under the app's name, its slot labelled", () => {
    expect(releaseAppContainerSpec(id, billing, 'sha256:billing', production, 'b')).toStrictEqual({
      name: 'green-production-billing-v1.5.0',
      Image: 'sha256:billing',
      Cmd: ['node', 'server.js'],
      Env: [
        'RATE=0.5',
        'LOG=warn',
        'GREENCI_PROJECT=green',
        'GREENCI_ENV=production',
        'GREENCI_COMMIT=abc123',
        'GREENCI_VERSION=v1.5.0',
        'GREENCI_BUILD=42',
      ],
      Labels: {
        'greenci.project': 'green',
        'greenci.env': 'production',
        'greenci.release': 'v1.5.0',
        'greenci.service': 'billing',
        'greenci.role': 'app',
        'greenci.build': '42',
        'greenci.commit': 'abc123',
        'greenci.health': '/health',
        'greenci.slot': 'b',
      },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        Init: true,
        NetworkMode: 'green-production-v1.5.0',
        RestartPolicy: { Name: 'unless-stopped' },
        Memory: 268435456,
      },
      NetworkingConfig: { EndpointsConfig: { 'green-production-v1.5.0': { Aliases: ['billing'] } } },
    });
  });

  it('two releases of an app side by side differ in name, network and slot', () => {
    const older = releaseAppContainerSpec({ ...id, release: 'v1.4.0', buildId: 41 }, billing, 'sha256:old', production, 'a');
    expect([older.name, older.HostConfig?.NetworkMode, older.NetworkingConfig, older.Labels?.['greenci.slot']]).toEqual([
      'green-production-billing-v1.4.0',
      'green-production-v1.4.0',
      { EndpointsConfig: { 'green-production-v1.4.0': { Aliases: ['billing'] } } },
      'a',
    ]);
  });

  it('the shared production network, where the databases answer, is named after the environment alone', () => {
    expect(sharedNetwork('green')).toBe('green-production');
  });
});

describe('addressOn', () => {
  const networks = {
    'green-production-v1.5.0': { IPAddress: '172.21.0.3' },
    'green-production': { IPAddress: '172.19.0.7' },
  };

  it("the container's address on the named network", () => {
    expect(addressOn(networks, 'green-production-v1.5.0')).toBe('172.21.0.3');
    expect(addressOn(networks, 'green-production')).toBe('172.19.0.7');
  });

  it('none on a network it is not on, when it has no address there (stopped), or no networks at all', () => {
    expect(addressOn(networks, 'green-production-v1.4.0')).toBeUndefined();
    expect(addressOn({ 'green-production-v1.5.0': { IPAddress: '' } }, 'green-production-v1.5.0')).toBeUndefined();
    expect(addressOn(undefined, 'green-production-v1.5.0')).toBeUndefined();
  });
});
