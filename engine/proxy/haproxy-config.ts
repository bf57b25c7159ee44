import { type AppRoute, type ProxyRoutes, SLOTS, type Slot } from './routes.js';

/**
 * Renders the whole haproxy.cfg for a project's front proxy from its routes. Written before every
 * runtime change, so a proxy that restarts comes back serving what greenci last switched to. Pure;
 * tested with exact equality.
 */

/** Where the proxy's directory (config and runtime socket) is mounted inside its container. */
export const PROXY_DIR_IN_CONTAINER = '/run/greenci-proxy';
export const ADMIN_SOCKET = 'admin.sock';

/** An empty slot points here, disabled, so the runtime API can re-address it without a reload. */
const PARKED = '127.0.0.1:9';

function serverLine(route: AppRoute, slot: Slot): string {
  const r = route.slots[slot];
  if (!r) return `  server ${slot} ${PARKED} weight 0 disabled`;
  // a slot at weight 0 drains: it keeps the requests it has and gets no new ones
  return `  server ${slot} ${r.addr}:${r.port} weight ${r.weight}  # ${r.release}`;
}

function bindAddress(bind: string, port: number): string {
  return bind.includes(':') ? `[${bind}]:${port}` : `${bind}:${port}`;
}

/** The `global` section every front proxy of greenci's has (the runtime API's socket, logging, reload bounds). */
export const GLOBAL_SECTION: readonly string[] = [
  'global',
  // expose-fd: on a reload (a new set of ports) the master hands the listening sockets to the new worker
  `  stats socket ${PROXY_DIR_IN_CONTAINER}/${ADMIN_SOCKET} mode 660 level admin expose-fd listeners`,
  '  stats timeout 10s',
  '  # a worker replaced by a reload finishes what it has, for at most this long',
  '  hard-stop-after 60s',
  '  # failed requests only (docker logs <project>-production-proxy): status, timings, termination state',
  '  log stdout format raw local0',
  '',
];

/** The `defaults` section every front proxy of greenci's has: timeouts, one connection per request, retries on the other slot. */
export const DEFAULTS_SECTION: readonly string[] = [
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

export function renderHaproxyConfig(routes: ProxyRoutes): string {
  const lines = [
    `# greenci front proxy for ${routes.project}: written by greenci before every change; edits are overwritten`,
    ...GLOBAL_SECTION,
    ...DEFAULTS_SECTION,
  ];
  for (const route of routes.apps) {
    lines.push(
      `frontend ${route.app}`,
      `  bind ${bindAddress(routes.bind, route.listen)}`,
      `  default_backend ${route.app}`,
      '',
      `backend ${route.app}`,
      ...SLOTS.map((s) => serverLine(route, s)),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
