import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROXY_DIR_IN_CONTAINER, renderHaproxyConfig } from '../../engine/proxy/haproxy-config.js';
import type { ProxyRoutes } from '../../engine/proxy/routes.js';

const HAPROXY = '/usr/sbin/haproxy';

const HEAD = [
  'global',
  '  stats socket /run/greenci-proxy/admin.sock mode 660 level admin expose-fd listeners',
  '  stats timeout 10s',
  '  # a worker replaced by a reload finishes what it has, for at most this long',
  '  hard-stop-after 60s',
  '  # failed requests only (docker logs <project>-production-proxy): status, timings, termination state',
  '  log stdout format raw local0',
  '',
  'defaults',
  '  mode http',
  '  log global',
  '  option httplog',
  '  option dontlog-normal',
  '  timeout connect 3s',
  '  timeout client 65s',
  '  timeout server 65s',
  '  timeout http-keep-alive 15s',
  '  timeout http-request 15s',
  '  # after a reload the old worker closes each keep-alive connection after its next answer, not before it',
  '  option idle-close-on-response',
  "  # a connection per request to the apps: Docker gives a stopped container's address to the next one it starts, and a",
  '  # connection HAProxy kept alive to that address would go on serving the slot after it was re-addressed elsewhere',
  '  option http-server-close',
  '  # a request whose server refused the connection is tried again on the other slot',
  '  retries 2',
  '  option redispatch 1',
  '  retry-on conn-failure empty-response',
  '',
];

/** billing: v1.4.0 alone in slot a (b empty); weight: a canary of v1.5.0 in b beside v1.4.0 in a, 90/10. */
const twoApps: ProxyRoutes = {
  project: 'green',
  bind: '127.0.0.1',
  apps: [
    {
      app: 'billing',
      listen: 8001,
      health: '/health',
      slots: { a: { release: 'v1.4.0', addr: '172.20.0.3', port: 8080, weight: 100 } },
    },
    {
      app: 'weight',
      listen: 8002,
      health: '/ready',
      slots: {
        a: { release: 'v1.4.0', addr: '172.20.0.4', port: 8080, weight: 90 },
        b: { release: 'v1.5.0', addr: '172.21.0.4', port: 8080, weight: 10 },
      },
    },
  ],
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-haproxy-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the host's HAProxy on the text in check mode (warnings fail too); returns what it printed. */
function haproxyCheck(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text.replaceAll(PROXY_DIR_IN_CONTAINER, dir));
  return execFileSync(HAPROXY, ['-c', '-dW', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('renderHaproxyConfig', () => {
  it('a two-app project: one app with one filled slot and the other parked, one with a canary split 90/10', () => {
    expect(renderHaproxyConfig(twoApps)).toBe(
      [
        '# greenci front proxy for green: written by greenci before every change; edits are overwritten',
        ...HEAD,
        'frontend billing',
        '  bind 127.0.0.1:8001',
        '  default_backend billing',
        '',
        'backend billing',
        '  server a 172.20.0.3:8080 weight 100  # v1.4.0',
        '  server b 127.0.0.1:9 weight 0 disabled',
        '',
        'frontend weight',
        '  bind 127.0.0.1:8002',
        '  default_backend weight',
        '',
        'backend weight',
        '  server a 172.20.0.4:8080 weight 90  # v1.4.0',
        '  server b 172.21.0.4:8080 weight 10  # v1.5.0',
        '',
        '',
      ].join('\n'),
    );
  });

  it('after a switch the previous release stays in its slot at weight 0, so a restarted proxy keeps it drained, not disabled', () => {
    const switched: ProxyRoutes = {
      project: 'green',
      bind: '0.0.0.0',
      apps: [
        {
          app: 'billing',
          listen: 8001,
          health: '/health',
          slots: {
            a: { release: 'v1.4.0', addr: '172.20.0.3', port: 8080, weight: 0, warmSince: 1_700_000_000_000 },
            b: { release: 'v1.5.0', addr: '172.21.0.3', port: 8080, weight: 100 },
          },
        },
      ],
    };
    expect(
      renderHaproxyConfig(switched)
        .split('\n')
        .slice(HEAD.length + 1),
    ).toEqual([
      'frontend billing',
      '  bind 0.0.0.0:8001',
      '  default_backend billing',
      '',
      'backend billing',
      '  server a 172.20.0.3:8080 weight 0  # v1.4.0',
      '  server b 172.21.0.3:8080 weight 100  # v1.5.0',
      '',
      '',
    ]);
  });

  it('an IPv6 bind address is written in brackets; an app with both slots empty has both parked and disabled', () => {
    const v6: ProxyRoutes = {
      project: 'shop',
      bind: '::1',
      apps: [
        { app: 'api', listen: 9000, health: '/health', slots: {} },
        { app: 'web', listen: 9001, health: '/health', slots: { b: { release: 'v2', addr: '172.30.0.2', port: 3000, weight: 100 } } },
      ],
    };
    expect(renderHaproxyConfig(v6)).toBe(
      [
        '# greenci front proxy for shop: written by greenci before every change; edits are overwritten',
        ...HEAD,
        'frontend api',
        '  bind [::1]:9000',
        '  default_backend api',
        '',
        'backend api',
        '  server a 127.0.0.1:9 weight 0 disabled',
        '  server b 127.0.0.1:9 weight 0 disabled',
        '',
        'frontend web',
        '  bind [::1]:9001',
        '  default_backend web',
        '',
        'backend web',
        '  server a 127.0.0.1:9 weight 0 disabled',
        '  server b 172.30.0.2:3000 weight 100  # v2',
        '',
        '',
      ].join('\n'),
    );
    expect(renderHaproxyConfig({ ...v6, bind: '::' })).toContain('\n  bind [::]:9000\n');
  });

  it('a project without apps with a production port gets the global and defaults sections only', () => {
    expect(renderHaproxyConfig({ project: 'green', bind: '127.0.0.1', apps: [] })).toBe(
      ['# greenci front proxy for green: written by greenci before every change; edits are overwritten', ...HEAD, ''].join('\n'),
    );
  });
});

describe('the rendered text is valid for the host HAProxy (haproxy -c)', () => {
  it('the two-app project with a canary and a parked slot', () => {
    expect(haproxyCheck('two-apps.cfg', renderHaproxyConfig(twoApps))).toBe('Configuration file is valid\n');
  });

  it('IPv6 bind addresses, and a backend with both slots parked', () => {
    const v6: ProxyRoutes = {
      ...twoApps,
      bind: '::',
      apps: [...twoApps.apps, { app: 'api', listen: 8003, health: '/health', slots: {} }],
    };
    expect(haproxyCheck('ipv6.cfg', renderHaproxyConfig(v6))).toBe('Configuration file is valid\n');
    expect(haproxyCheck('ipv6-loopback.cfg', renderHaproxyConfig({ ...v6, bind: '::1' }))).toBe('Configuration file is valid\n');
  });

  it('the check is real: a misspelt keyword in the same text is refused', () => {
    const broken = renderHaproxyConfig(twoApps).replace('weight 0 disabled', 'weight 0 disabeld');
    expect(() => haproxyCheck('broken.cfg', broken)).toThrow(/unknown keyword 'disabeld'/);
  });
});
