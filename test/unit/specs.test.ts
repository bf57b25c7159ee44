import { describe, expect, it } from 'vitest';
import type { EnvironmentSpec, ServiceSpec } from '../../config/project-spec.js';
import { serviceContainerSpec, serviceFingerprint, testStepContainerSpec, type DeployIdentity } from '../../engine/docker/specs.js';

const id: DeployIdentity = { project: 'green', env: 'production', release: 'v1.0.0', buildId: 7, commit: 'abc123' };
const prodEnv: EnvironmentSpec = {
  bind: '127.0.0.1',
  ports: { billing: 8001 },
  env: { billing: { LOG: 'warn' } },
  restart: 'unless-stopped',
  memoryBytes: 268435456,
  nanoCpus: 500_000_000,
  healthTimeoutMs: 60_000,
};
const billing: ServiceSpec = {
  name: 'billing',
  kind: 'app',
  port: 8080,
  health: '/health',
  env: { RATE: '0.5', LOG: 'info' },
  dependsOn: [],
};
const db: ServiceSpec = {
  name: 'billing-db',
  kind: 'service',
  env: {},
  dependsOn: [],
  volume: '/data',
  healthcheck: { test: ['CMD', 'node', '/db/healthcheck.js'], intervalMs: 1000, timeoutMs: 3000, retries: 30, startPeriodMs: 0 },
};
const GREENCI_ENV = [
  'GREENCI_PROJECT=green',
  'GREENCI_ENV=production',
  'GREENCI_COMMIT=abc123',
  'GREENCI_VERSION=v1.0.0',
  'GREENCI_BUILD=7',
];

describe('container specs', () => {
  it('an app: init, labels, alias on the env network, its port on the bind address, limits, env overrides last', () => {
    expect(serviceContainerSpec(id, billing, 'sha256:img', prodEnv)).toEqual({
      name: 'green-production-billing',
      Image: 'sha256:img',
      Env: ['RATE=0.5', 'LOG=warn', ...GREENCI_ENV],
      Labels: {
        'greenci.project': 'green',
        'greenci.env': 'production',
        'greenci.release': 'v1.0.0',
        'greenci.service': 'billing',
        'greenci.role': 'app',
        'greenci.build': '7',
        'greenci.commit': 'abc123',
        'greenci.health': '/health',
      },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        Init: true,
        NetworkMode: 'green-production',
        RestartPolicy: { Name: 'unless-stopped' },
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8001' }] },
        Memory: 268435456,
        NanoCpus: 500_000_000,
      },
      NetworkingConfig: { EndpointsConfig: { 'green-production': { Aliases: ['billing'] } } },
    });
  });

  it('a database: named volume at its data path and Docker health check in nanoseconds; no published port', () => {
    const testEnv: EnvironmentSpec = { bind: '127.0.0.1', ports: {}, env: {}, restart: 'no', healthTimeoutMs: 30_000 };
    expect(serviceContainerSpec({ ...id, env: 'test', release: 'build-7' }, db, 'sha256:db', testEnv)).toEqual({
      name: 'green-test-billing-db',
      Image: 'sha256:db',
      Env: ['GREENCI_PROJECT=green', 'GREENCI_ENV=test', 'GREENCI_COMMIT=abc123', 'GREENCI_VERSION=build-7', 'GREENCI_BUILD=7'],
      Labels: {
        'greenci.project': 'green',
        'greenci.env': 'test',
        'greenci.release': 'build-7',
        'greenci.service': 'billing-db',
        'greenci.role': 'service',
        'greenci.build': '7',
        'greenci.commit': 'abc123',
      },
      HostConfig: {
        Init: true,
        NetworkMode: 'green-test',
        RestartPolicy: { Name: 'no' },
        Mounts: [{ Type: 'volume', Source: 'green-test-billing-db-data', Target: '/data' }],
      },
      NetworkingConfig: { EndpointsConfig: { 'green-test': { Aliases: ['billing-db'] } } },
      Healthcheck: {
        Test: ['CMD', 'node', '/db/healthcheck.js'],
        Interval: 1_000_000_000,
        Timeout: 3_000_000_000,
        Retries: 30,
        StartPeriod: 0,
      },
    });
  });

  it('an app without a fixed host port gets one chosen by Docker', () => {
    const spec = serviceContainerSpec(id, { ...billing, name: 'weight' }, 'img', prodEnv);
    expect(spec.HostConfig!.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it('a test step runs once on the test network with its env and a command', () => {
    const step = { name: 'api', env: { BILLING_URL: 'http://billing:8080' }, command: ['node', 'run.js'], timeoutMs: 1000 };
    expect(testStepContainerSpec({ ...id, env: 'test', release: 'build-7' }, step, 'sha256:t')).toEqual({
      name: 'green-test-run-7-api',
      Image: 'sha256:t',
      Cmd: ['node', 'run.js'],
      Env: [
        'BILLING_URL=http://billing:8080',
        'GREENCI_PROJECT=green',
        'GREENCI_ENV=test',
        'GREENCI_COMMIT=abc123',
        'GREENCI_VERSION=build-7',
        'GREENCI_BUILD=7',
      ],
      Labels: {
        'greenci.project': 'green',
        'greenci.env': 'test',
        'greenci.release': 'build-7',
        'greenci.role': 'test',
        'greenci.build': '7',
        'greenci.commit': 'abc123',
      },
      HostConfig: { Init: true, NetworkMode: 'green-test' },
    });
  });

  it('the fingerprint ignores the release but not the image or settings', () => {
    const a = serviceFingerprint(db, 'img1', prodEnv);
    expect(serviceFingerprint(db, 'img1', { ...prodEnv })).toBe(a);
    expect(serviceFingerprint(db, 'img2', prodEnv)).not.toBe(a);
    expect(serviceFingerprint(db, 'img1', { ...prodEnv, memoryBytes: 1 })).not.toBe(a);
  });
});

describe("Docker's multiplexed log frames", () => {
  it('are split into lines, stdout and stderr together; unframed output (a TTY) is read as is', async () => {
    const { demuxBuffer } = await import('../../engine/docker/demux.js');
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demuxBuffer(Buffer.concat([frame(1, 'listening on 8080\nready\n'), frame(2, 'Error: VAT_RATE is required\n')]))).toEqual([
      'listening on 8080',
      'ready',
      'Error: VAT_RATE is required',
    ]);
    expect(demuxBuffer(Buffer.from('plain\ntext\n'))).toEqual(['plain', 'text']);
  });
});
