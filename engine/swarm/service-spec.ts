import type { SwarmHealthcheck, SwarmServiceSpec } from './types.js';

/**
 * Pure builders of the Swarm services production runs on: each release's app is a service of its
 * own beside the live one's (blue/green: the front proxy switches between them), reached on the
 * overlay by DNS round-robin (`tasks.<service>`: this machine kind has no IPVS for the routing
 * mesh's virtual IPs); a database is one task pinned to the node that holds its volume, replaced
 * stop-first so two never open the same files. Images are referenced by id: no registry look-up.
 */

const SECOND = 1_000_000_000;

export interface AppServiceInput {
  project: string;
  app: string;
  /** The release version (`v0.3.0`). */
  release: string;
  buildId: number;
  commit: string;
  /** `sha256:…`: present on every node before the service is created. */
  imageId: string;
  replicas: number;
  /** The attachable overlay network production's services and the front proxy share. */
  network: string;
  env: Record<string, string>;
  command?: string[];
  healthcheck?: SwarmHealthcheck;
  /** Placement constraints as Swarm writes them (`node.role==worker`, `node.labels.zone==a`). */
  constraints: string[];
  memoryBytes?: number;
  nanoCpus?: number;
  labels: Record<string, string>;
}

export interface DatabaseServiceInput extends Omit<AppServiceInput, 'app' | 'replicas' | 'constraints'> {
  /** The service's name in greenci.yml (`weight-db`): apps reach it by that name. */
  service: string;
  /** The node whose Docker holds the volume: the one task always runs there. */
  nodeId: string;
  volume: { source: string; target: string };
}

/** A Swarm service name (at most 63 characters, letters, digits and dashes) for a release's app: `<project>-prod-<app>-<release>`. */
export function appServiceName(project: string, app: string, release: string): string {
  const name = `${project}-prod-${app}-${release.replace(/[^a-zA-Z0-9-]/g, '-')}`;
  return name.length <= 63 ? name : name.slice(0, 63).replace(/-+$/, '');
}

const envList = (env: Record<string, string>): string[] => Object.entries(env).map(([k, v]) => `${k}=${v}`);

function resources(o: { memoryBytes?: number; nanoCpus?: number }): Pick<SwarmServiceSpec['TaskTemplate'], 'Resources'> {
  if (o.memoryBytes === undefined && o.nanoCpus === undefined) return {};
  return {
    Resources: {
      Limits: {
        ...(o.memoryBytes !== undefined ? { MemoryBytes: o.memoryBytes } : {}),
        ...(o.nanoCpus !== undefined ? { NanoCPUs: o.nanoCpus } : {}),
      },
    },
  };
}

type Common = Pick<AppServiceInput, 'imageId' | 'labels' | 'env' | 'command' | 'healthcheck' | 'network' | 'memoryBytes' | 'nanoCpus'>;

/** What every service greenci creates has: its image by id, labels, variables, init, health check, its place on the overlay, dnsrr. */
function serviceSpec(
  i: Common,
  o: {
    name: string;
    alias: string;
    replicas: number;
    constraints: string[];
    graceSeconds: number;
    restart: SwarmServiceSpec['TaskTemplate']['RestartPolicy'];
    order: SwarmServiceSpec['UpdateConfig']['Order'];
    mounts?: { Type: 'volume'; Source: string; Target: string }[];
  },
): SwarmServiceSpec {
  return {
    Name: o.name,
    Labels: i.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: i.imageId,
        Labels: i.labels,
        Env: envList(i.env),
        ...(i.command ? { Command: i.command } : {}),
        Init: true,
        ...(i.healthcheck ? { HealthCheck: i.healthcheck } : {}),
        ...(o.mounts ? { Mounts: o.mounts } : {}),
        StopGracePeriod: o.graceSeconds * SECOND,
      },
      Networks: [{ Target: i.network, Aliases: [o.alias] }],
      Placement: { Constraints: o.constraints },
      RestartPolicy: o.restart,
      ...resources(i),
    },
    Mode: { Replicated: { Replicas: o.replicas } },
    UpdateConfig: { Parallelism: 1, Order: o.order, FailureAction: 'pause', Monitor: 5 * SECOND },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/**
 * One release's app: `replicas` tasks spread by Swarm within the constraints; a task that exits is
 * restarted at most twice (greenci fails a release whose task fails, it does not wait for luck).
 * Its alias is its own name: two releases never answer for each other.
 */
export function appServiceSpec(i: AppServiceInput): SwarmServiceSpec {
  const name = appServiceName(i.project, i.app, i.release);
  return serviceSpec(i, {
    name,
    alias: name,
    replicas: i.replicas,
    constraints: i.constraints,
    graceSeconds: 10,
    restart: { Condition: 'on-failure', MaxAttempts: 2, Delay: 1 * SECOND },
    order: 'start-first',
  });
}

/** A database: one task, pinned to its volume's node, updated stop-first, reached by its own name. */
export function databaseServiceSpec(i: DatabaseServiceInput): SwarmServiceSpec {
  return serviceSpec(i, {
    name: `${i.project}-prod-${i.service}`,
    alias: i.service,
    replicas: 1,
    constraints: [`node.id==${i.nodeId}`],
    // a database closes its files: the grace a clean shutdown needs
    graceSeconds: 60,
    restart: { Condition: 'any', MaxAttempts: 0, Delay: 5 * SECOND },
    order: 'stop-first',
    mounts: [{ Type: 'volume', Source: i.volume.source, Target: i.volume.target }],
  });
}
