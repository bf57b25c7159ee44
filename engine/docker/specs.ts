import { createHash } from 'node:crypto';
import { plainEnvOf } from '../../config/host-secrets.js';
import type { EnvKey, EnvironmentSpec, ServiceSpec, TestStepSpec } from '../../config/project-spec.js';
import { LABEL, containerName, envLabels, networkName, testStepContainerName, volumeName } from './names.js';
import type { ContainerSpec } from './types.js';

/** Pure builders of the option objects greenci hands to the Docker engine. Tested with exact equality. */

/** What a deploy knows about the build or release it is putting into an environment. */
export interface DeployIdentity {
  project: string;
  env: EnvKey;
  /** A preview environment's branch (labelled, and given to its containers as GREENCI_PREVIEW). */
  preview?: string;
  /** The release version, or `build-<id>` in the test environment. */
  release: string;
  buildId: number;
  commit: string;
}

const ns = (ms: number): number => ms * 1_000_000;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Variables greenci gives every container it starts, so apps can report what they are. */
export function greenciEnv(id: DeployIdentity): Record<string, string> {
  return {
    GREENCI_PROJECT: id.project,
    // a preview says it is one; which branch it shows is GREENCI_PREVIEW
    GREENCI_ENV: id.preview === undefined ? id.env : 'preview',
    GREENCI_COMMIT: id.commit,
    GREENCI_VERSION: id.release,
    GREENCI_BUILD: String(id.buildId),
    ...(id.preview === undefined ? {} : { GREENCI_PREVIEW: id.preview }),
  };
}

function envList(vars: Record<string, string>): string[] {
  return Object.entries(vars).map(([k, v]) => `${k}=${v}`);
}

/**
 * The container of one app or service in an environment. `secrets` are the values of its host
 * secrets (variable → value, resolved at deploy): they go into the container's environment only,
 * so this spec is never stored or printed.
 */
export function serviceContainerSpec(
  id: DeployIdentity,
  service: ServiceSpec,
  image: string,
  env: EnvironmentSpec,
  secrets: Record<string, string> = {},
  /** The volume to mount (a restore's later generation); default the service's own `<project>-<env>-<service>-data`. */
  volume = volumeName(id.project, id.env, service.name),
): ContainerSpec {
  const network = networkName(id.project, id.env);
  const port = service.kind === 'app' && service.port ? `${service.port}/tcp` : undefined;
  const hostPort = env.ports[service.name];
  const spec: ContainerSpec = {
    name: containerName(id.project, id.env, service.name),
    Image: image,
    Env: envList({ ...plainEnvOf(service, env), ...secrets, ...greenciEnv(id) }),
    Labels: {
      ...envLabels(id.project, id.env, id.release),
      ...(id.preview === undefined ? {} : { [LABEL.preview]: id.preview }),
      [LABEL.service]: service.name,
      [LABEL.role]: service.kind,
      [LABEL.build]: String(id.buildId),
      [LABEL.commit]: id.commit,
    },
    HostConfig: {
      Init: true,
      NetworkMode: network,
      RestartPolicy: env.restart === 'on-failure' ? { Name: 'on-failure', MaximumRetryCount: 5 } : { Name: env.restart },
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [service.name] } } },
  };
  if (service.command) spec.Cmd = service.command;
  if (service.kind === 'app' && service.health) spec.Labels![LABEL.health] = service.health;
  if (port) {
    spec.ExposedPorts = { [port]: {} };
    spec.HostConfig!.PortBindings = { [port]: [{ HostIp: env.bind, HostPort: hostPort ? String(hostPort) : '' }] };
  }
  if (service.kind === 'service' && service.volume) {
    spec.HostConfig!.Mounts = [{ Type: 'volume', Source: volume, Target: service.volume }];
  }
  if (service.healthcheck) {
    const h = service.healthcheck;
    spec.Healthcheck = {
      Test: h.test,
      Interval: ns(h.intervalMs),
      Timeout: ns(h.timeoutMs),
      Retries: h.retries,
      StartPeriod: ns(h.startPeriodMs),
    };
  }
  if (env.memoryBytes) spec.HostConfig!.Memory = env.memoryBytes;
  if (env.nanoCpus) spec.HostConfig!.NanoCpus = env.nanoCpus;
  return spec;
}

/** A test step's one-off container on the test environment's network. */
export function testStepContainerSpec(id: DeployIdentity, step: TestStepSpec, image: string): ContainerSpec {
  const spec: ContainerSpec = {
    name: testStepContainerName(id.project, id.buildId, step.name),
    Image: image,
    Env: envList({ ...step.env, ...greenciEnv(id) }),
    Labels: {
      ...envLabels(id.project, id.env, id.release),
      [LABEL.role]: 'test',
      [LABEL.build]: String(id.buildId),
      [LABEL.commit]: id.commit,
    },
    HostConfig: { Init: true, NetworkMode: networkName(id.project, id.env) },
  };
  if (step.command) spec.Cmd = step.command;
  return spec;
}

/**
 * A fingerprint of everything that shapes a service's container except the release identity:
 * production keeps a database container running across releases while this stays the same. Its
 * host secrets count by a hash of their values (a changed password redeploys the service; the
 * fingerprint, a container label, carries no value); a service without secrets keeps the
 * fingerprint it had before secrets existed.
 */
export function serviceFingerprint(
  service: ServiceSpec,
  image: string,
  env: EnvironmentSpec,
  secrets: Record<string, string> = {},
): string {
  const relevant: Record<string, unknown> = {
    // how it is backed up is not how it runs: adding a backup block does not restart a database
    service: { ...service, backup: undefined },
    image,
    extraEnv: env.env[service.name] ?? {},
    restart: env.restart,
    memory: env.memoryBytes,
    cpus: env.nanoCpus,
    bind: env.bind,
    port: env.ports[service.name],
  };
  if (env.secrets?.[service.name]) relevant.extraSecrets = env.secrets[service.name];
  if (Object.keys(secrets).length) relevant.secrets = sha256(JSON.stringify(Object.entries(secrets).sort(([a], [b]) => (a < b ? -1 : 1))));
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
