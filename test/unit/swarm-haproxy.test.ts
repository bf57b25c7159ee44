import { describe, expect, it } from 'vitest';
import { runtimeAnswerFailed } from '../../engine/proxy/runtime-commands.js';
import {
  renderSwarmHaproxyConfig,
  resolvedInSlot,
  resolvedServers,
  type SwarmRoutes,
  swarmRuntimeCommands,
} from '../../engine/proxy/swarm-haproxy.js';
import { swarmProxyContainerSpec } from '../../engine/proxy/swarm-front-proxy.js';

const routes = (slots: SwarmRoutes['apps'][number]['slots']): SwarmRoutes => ({
  project: 'green',
  bind: '127.0.0.1',
  maxReplicas: 3,
  apps: [{ app: 'web', listen: 8001, port: 8080, health: '/health', slots }],
});
const v1 = { release: 'v0.1.0', service: 'green-prod-web-v0-1-0' };
const v2 = { release: 'v0.2.0', service: 'green-prod-web-v0-2-0' };

describe('the front proxy of a production on Swarm', () => {
  it("each slot is a server template filled from Docker's DNS with its release service's tasks; an empty slot resolves nothing", () => {
    const cfg = renderSwarmHaproxyConfig(routes({ a: { ...v1, weight: 100 } }));
    expect(cfg).toContain('resolvers docker\n  nameserver dns 127.0.0.11:53\n');
    expect(cfg).toContain(
      [
        'frontend web',
        '  bind 0.0.0.0:8001',
        '  default_backend web',
        '',
        'backend web',
        '  server-template a 1-3 tasks.green-prod-web-v0-1-0:8080 resolvers docker init-addr none weight 100  # v0.1.0',
        '  server-template b 1-3 parked.invalid:8080 resolvers docker init-addr none weight 0',
        '',
      ].join('\n'),
    );
  });

  it('a switch points the idle slot at the new service first, then makes it ready with the weight, then drains the old one', () => {
    const before = routes({ a: { ...v1, weight: 100 } });
    expect(swarmRuntimeCommands(before, routes({ a: { ...v1, weight: 0 }, b: { ...v2, weight: 100 } }))).toEqual({
      point: [
        'set server web/b1 fqdn tasks.green-prod-web-v0-2-0',
        'set server web/b2 fqdn tasks.green-prod-web-v0-2-0',
        'set server web/b3 fqdn tasks.green-prod-web-v0-2-0',
      ],
      weigh: [
        'set server web/b1 state ready',
        'set weight web/b1 100',
        'set server web/b2 state ready',
        'set weight web/b2 100',
        'set server web/b3 state ready',
        'set weight web/b3 100',
        'set weight web/a1 0',
        'set weight web/a2 0',
        'set weight web/a3 0',
      ],
    });
    // a rollback to the warm slot moves weight only: nothing is re-pointed
    const after = routes({ a: { ...v1, weight: 0 }, b: { ...v2, weight: 100 } });
    expect(swarmRuntimeCommands(after, routes({ a: { ...v1, weight: 100 }, b: { ...v2, weight: 0 } })).point).toEqual([]);
    // a slot emptied is pointed at nothing
    expect(swarmRuntimeCommands(after, routes({ b: { ...v2, weight: 100 } })).weigh.slice(-6)).toEqual([
      'set weight web/a1 0',
      'set weight web/a2 0',
      'set weight web/a3 0',
      'set server web/a1 fqdn parked.invalid',
      'set server web/a2 fqdn parked.invalid',
      'set server web/a3 fqdn parked.invalid',
    ]);
  });

  it("reads which servers resolved from HAProxy's own answer, and takes its FQDN change as done", () => {
    const answer = [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state',
      '3 web 1 a1 10.0.1.2 2 0 100 100 11 1 0 0 0 0 0 0 tasks.green-prod-web-v0-1-0 8080 - 0 0 - - 0',
      '3 web 2 a2 - 0 32 100 100 11 1 0 0 0 0 0 0 tasks.green-prod-web-v0-1-0 8080 - 0 0 - - 0',
      '3 web 4 b1 10.0.1.5 2 64 100 0 11 1 0 0 0 0 0 0 tasks.green-prod-web-v0-2-0 8080 - 0 0 - - 0',
      '',
    ].join('\n');
    const resolved = resolvedServers(answer);
    expect(resolved).toEqual({ a1: '10.0.1.2', a2: undefined, b1: '10.0.1.5' });
    expect(resolvedInSlot(resolved, 'a', 3)).toBe(1);
    expect(resolvedInSlot(resolved, 'b', 3)).toBe(1);
    expect(
      runtimeAnswerFailed("web/b1 changed its FQDN from parked.invalid to tasks.green-prod-web-v0-2-0 by 'stats socket command'\n"),
    ).toBe(false);
    expect(runtimeAnswerFailed('No such server.\n')).toBe(true);
  });

  it('runs as a container publishing each app port on the bind address from a bridge network of its own', () => {
    const spec = swarmProxyContainerSpec('green', 'sha256:abc', '/var/lib/greenci/proxy/green', routes({}));
    expect(spec).toMatchObject({
      name: 'green-production-proxy',
      ExposedPorts: { '8001/tcp': {} },
      HostConfig: {
        NetworkMode: 'green-production-proxy-ports',
        PortBindings: { '8001/tcp': [{ HostIp: '127.0.0.1', HostPort: '8001' }] },
        Mounts: [{ Type: 'bind', Source: '/var/lib/greenci/proxy/green', Target: '/run/greenci-proxy' }],
      },
    });
  });
});
