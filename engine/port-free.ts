import net from 'node:net';

/**
 * Whether nothing listens on `host:port` now: a listen that succeeds and is closed at once. What
 * another program (or a container's published port) holds on the host is not handed to a preview.
 */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
