import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for smee.io, speaking its protocol: `GET /<channel>` is an SSE stream
 * (`ready` then one `message` per delivery); `POST /<channel>` takes a webhook and broadcasts it
 * as `{...headers, body, query, timestamp}`, the body re-serialised exactly as smee.io does
 * (`JSON.parse` then `JSON.stringify`). Deliveries posted while no client listens are lost, as
 * on smee.io. `refuse()` makes it answer 503 (smee down); `dropClients()` cuts open streams.
 */
export class FakeSmee {
  private clients = new Set<http.ServerResponse>();
  private refusing = false;
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeSmee> {
    let self!: FakeSmee;
    const server = http.createServer((req, res) => self.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    self = new FakeSmee(server, `http://127.0.0.1:${port}/greenci-test-channel`);
    return self;
  }

  get listeners(): number {
    return this.clients.size;
  }

  refuse(on: boolean): void {
    this.refusing = on;
  }

  dropClients(): void {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
  }

  /** Resolves once `n` clients listen. */
  async waitForListeners(n: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.clients.size < n) {
      if (Date.now() > until) throw new Error(`smee: ${this.clients.size} listeners, wanted ${n}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.refusing && req.method === 'GET') return void res.writeHead(503).end('smee is down');
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write('event: ready\ndata: {}\n\n');
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
      return;
    }
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return void res.writeHead(400).end('bad json');
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'content-length'));
      const data = JSON.stringify({ ...headers, body, query: {}, timestamp: Date.now() });
      for (const c of this.clients) c.write(`id: ${Date.now()}\ndata: ${data}\n\n`);
      res.writeHead(200).end('ok');
    });
  }

  close(): Promise<void> {
    this.dropClients();
    return new Promise((r) => (this.server.close(() => r()), this.server.closeAllConnections()));
  }
}
