import http from 'node:http';

/**
 * One GET with a hard timeout. node:http rather than fetch: a fetch to a port Docker has just
 * published can stall with nothing keeping the event loop alive (AbortSignal.timeout's timer is
 * unref'd), and the process then exits in the middle of a deploy.
 */
export function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, headers: { 'user-agent': 'greenci-health' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body.length < 500 ? (body += c) : undefined));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, 200).trim() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}
