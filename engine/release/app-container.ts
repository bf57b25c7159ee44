import type { EnvironmentSpec, ServiceSpec } from '../../config/project-spec.js';
import { LABEL, networkName } from '../docker/names.js';
import { type DeployIdentity, serviceContainerSpec } from '../docker/specs.js';
import type { ContainerSpec } from '../docker/types.js';
import type { Slot } from '../proxy/routes.js';

/**
 * Production's app containers under the front proxy. Each release's apps run side by side with the
 * live ones: their own names, no host ports (the proxy owns those), and their own network where
 * they answer to their app names — so during the overlap a new billing reaches the new weight and
 * never the old one. They join production's shared network too (without app names) to reach the
 * databases. Pure.
 */

export const SLOT_LABEL = LABEL.slot;

export const releaseAppContainerName = (project: string, app: string, release: string): string => `${project}-production-${app}-${release}`;
export const releaseNetworkName = (project: string, release: string): string => `${project}-production-${release}`;

export function releaseAppContainerSpec(
  id: DeployIdentity,
  app: ServiceSpec,
  image: string,
  env: EnvironmentSpec,
  slot: Slot,
  /** The app's host secrets (variable → value): into its environment only. */
  secrets: Record<string, string> = {},
): ContainerSpec {
  const base = serviceContainerSpec(id, app, image, env, secrets);
  const own = releaseNetworkName(id.project, id.release);
  const spec: ContainerSpec = {
    ...base,
    name: releaseAppContainerName(id.project, app.name, id.release),
    Labels: { ...base.Labels, [SLOT_LABEL]: slot },
    HostConfig: { ...base.HostConfig, NetworkMode: own },
    NetworkingConfig: { EndpointsConfig: { [own]: { Aliases: [app.name] } } },
  };
  delete spec.HostConfig!.PortBindings;
  return spec;
}

/** The network every production container shares: the databases answer to their names there. */
export const sharedNetwork = (project: string): string => networkName(project, 'production');

/** The address a container has on a network, from its inspect answer's networks. */
export function addressOn(networks: Record<string, { IPAddress: string }> | undefined, network: string): string | undefined {
  const ip = networks?.[network]?.IPAddress;
  return ip ? ip : undefined;
}
