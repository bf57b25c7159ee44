import { LABEL } from '../docker/names.js';
import type { ContainerSpec } from '../docker/types.js';
import { PROXY_DIR_IN_CONTAINER } from './haproxy-config.js';

/** The front proxy's container: one per project, on the host's network so it binds production's ports and reaches every container's address. Pure. */

export const proxyContainerName = (project: string): string => `${project}-production-proxy`;

export function proxyContainerSpec(project: string, image: string, hostDir: string): ContainerSpec {
  return {
    name: proxyContainerName(project),
    Image: image,
    Cmd: ['-W', '-db', '-f', `${PROXY_DIR_IN_CONTAINER}/haproxy.cfg`],
    Labels: { [LABEL.project]: project, [LABEL.env]: 'production', [LABEL.role]: 'proxy', [LABEL.service]: 'proxy' },
    HostConfig: {
      NetworkMode: 'host',
      // it outlives greenci: restarts, upgrades and the host's reboots
      RestartPolicy: { Name: 'unless-stopped' },
      Mounts: [{ Type: 'bind', Source: hostDir, Target: PROXY_DIR_IN_CONTAINER }],
      Memory: 256 * 1024 * 1024,
    },
  };
}
