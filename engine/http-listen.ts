import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server greenci started, and the one way it stops. */
export interface Listening {
  /** `host:port` (IPv6 in brackets, the port resolved when 0 was asked for), or the socket's path. */
  address: string;
  /** Stops taking connections and resolves once the server has closed. */
  close(): Promise<void>;
}

/**
 * Starts `server` on `host:port` or a unix socket path, failing (not throwing later) when the
 * address is taken. `close` ends idle keep-alive connections (`idle`: requests in flight are
 * answered first, as the webhook endpoint wants) or every connection (`all`: streams that never
 * end, as the control API and metrics have).
 */
export async function listen(
  server: http.Server,
  at: { listen: string } | { socket: string },
  closeConnections: 'idle' | 'all',
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = () => (server.off('error', reject), resolve());
    if ('socket' in at) server.listen(at.socket, ready);
    else {
      const { host, port } = splitListen(at.listen);
      server.listen(port, host, ready);
    }
  });
  const a = server.address();
  return {
    address: typeof a === 'string' || a === null ? ('socket' in at ? at.socket : String(a)) : formatAddress(a),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        if (closeConnections === 'all') server.closeAllConnections();
        else server.closeIdleConnections();
      }),
  };
}

/** `127.0.0.1:8080` → host and port; `[::1]:8080` → `::1` and 8080. */
export function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

function formatAddress(a: AddressInfo): string {
  return `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
