import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { describeError } from '../errors.js';
import { listen } from '../http-listen.js';
import type { Intake } from './intake.js';
import { StreamingSignatureCheck } from './signature.js';

/** GitHub caps deliveries at 25 MB; anything larger is not from GitHub. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface WebhookServer {
  /** `host:port` it listens on (the port resolved when the config said 0). */
  address: string;
  /** The query string our own smee relay forwards with (`via=smee&relay=<token>`): only it marks a delivery as relayed. */
  smeeQuery: string;
  /** Stops taking deliveries; resolves when open requests have been answered. */
  close(): Promise<void>;
}

/**
 * The webhook endpoint: `POST <path>` only. Reads the raw body, caps it at 25 MB (413), checks
 * its signature while it streams in (an HMAC per configured secret, chunk by chunk: a large
 * forged body never holds the event loop), and hands it to the intake. `?via=smee&relay=<token>`
 * marks deliveries our own smee relay forwarded; the token is made afresh each start, so nobody
 * else can ask for the relay's re-serialisation check.
 */
export async function startWebhookServer(
  intake: Pick<Intake, 'handle' | 'secrets'>,
  opts: {
    listen: string;
    path: string;
    onError?: (err: unknown) => void;
    onRefused?: (status: number, message: string, headers: http.IncomingHttpHeaders) => void;
    /** Read-only pages beside the endpoint (`GET /builds/<id>`, which commit statuses link to): text, or undefined for 404. */
    page?: (pathname: string) => string | undefined;
  },
): Promise<WebhookServer> {
  const relayToken = Buffer.from(randomBytes(16).toString('hex'));
  const fromOurRelay = (url: URL): boolean => {
    const given = Buffer.from(url.searchParams.get('relay') ?? '');
    return url.searchParams.get('via') === 'smee' && given.length === relayToken.length && timingSafeEqual(given, relayToken);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = (status: number, body: Record<string, unknown>) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== opts.path && (req.method === 'GET' || req.method === 'HEAD') && opts.page) {
      const text = opts.page(url.pathname);
      if (text !== undefined) {
        res.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
    }
    if (url.pathname !== opts.path) return answer(404, { message: `not found; deliveries go to ${opts.path}` });
    if (req.method !== 'POST') return (res.setHeader('allow', 'POST'), answer(405, { message: 'POST deliveries here' }));
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => {
      const message = `body over ${MAX_BODY_BYTES} bytes`;
      answer(413, { message });
      opts.onRefused?.(413, message, req.headers);
    };
    if (declared > MAX_BODY_BYTES) {
      tooLarge();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    const signature = req.headers['x-hub-signature-256'];
    const check = new StreamingSignatureCheck(intake.secrets(), Array.isArray(signature) ? signature[0] : signature);
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        if (!tooBig) tooLarge();
        tooBig = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
      check.update(c);
    });
    req.on('end', () => {
      if (tooBig) return;
      const via = fromOurRelay(url) ? 'smee' : 'direct';
      intake
        .handle({ headers: req.headers, body: Buffer.concat(chunks, size), via, signedWith: check.matches() })
        .then((a) => answer(a.status, a.body))
        .catch((err) => {
          opts.onError?.(err);
          answer(500, { message: `greenci could not take this delivery: ${describeError(err)}` });
        });
    });
    req.on('error', () => undefined);
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;
  // requests in flight are answered before it closes
  const listening = await listen(server, { listen: opts.listen }, 'idle');
  return { ...listening, smeeQuery: `via=smee&relay=${relayToken.toString()}` };
}
