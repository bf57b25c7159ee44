import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

/**
 * A GitHub REST API stand-in on 127.0.0.1 for greenci's octokit client (pointed at it by
 * `baseUrl`): commit statuses, deployments and deployment statuses, validated as GitHub validates
 * them and answered with GitHub's recorded shapes (@octokit/fixtures' create-status and errors
 * scenarios). It records every call and can be told to fail the next ones (503, a rate limit…).
 */

const require = createRequire(import.meta.url);
type Fixture = { method: string; path: string; status: number; response: any; headers: Record<string, string> }[];
const CREATE_STATUS = (require('@octokit/fixtures/scenarios/api.github.com/create-status/normalized-fixture.json') as Fixture).find(
  (c) => c.method === 'post' && c.status === 201,
)!;
const VALIDATION = (require('@octokit/fixtures/scenarios/api.github.com/errors/normalized-fixture.json') as Fixture).find(
  (c) => c.status === 422,
)!;

export interface RecordedCall {
  seq: number;
  method: string;
  path: string;
  body: any;
  headers: Record<string, string>;
  /** When it arrived (ms since the epoch). */
  at: number;
  status: number;
  response: any;
}

export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface GithubStandIn {
  /** What to give octokit as `baseUrl`. */
  url: string;
  /** Every request in arrival order, with what it was answered. */
  calls: RecordedCall[];
  /** Calls answered 2xx, in order. */
  accepted(): RecordedCall[];
  /** The next `times` (default 1) requests matching get this answer instead (recorded too). */
  failNext(answer: StandInAnswer, o?: { times?: number; method?: string; path?: RegExp }): void;
  /** Forget the failures still waiting: GitHub is back. */
  clearFailures(): void;
  /** Resolves when `pred(calls)` holds (checked after each request); rejects after timeoutMs listing what came. */
  waitFor(pred: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const STATUS_STATES = new Set(['error', 'failure', 'pending', 'success']);
const DEPLOYMENT_STATES = new Set(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']);

const validation = (resource: string, field: string, code = 'invalid', message?: string) => ({
  status: 422,
  body: {
    message: VALIDATION.response.message,
    errors: [{ resource, code, field, ...(message ? { message } : {}) }],
    documentation_url: VALIDATION.response.documentation_url,
  },
});

export async function startGithubStandIn(o: { token?: string; port?: number } = {}): Promise<GithubStandIn> {
  const calls: RecordedCall[] = [];
  const failures: { answer: StandInAnswer; left: number; method?: string; path?: RegExp }[] = [];
  const waiters = new Set<() => void>();
  const statuses = new Map<string, any[]>();
  const deployments = new Map<number, any>();
  let nextId = 1000;

  const answer = (method: string, path: string, body: any, base: string): StandInAnswer => {
    let m = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/.exec(path);
    if (method === 'POST' && m) {
      const [, owner, repo, sha] = m;
      if (!/^[0-9a-f]{40}$/.test(sha)) return validation('Status', 'sha', 'custom', `No commit found for SHA: ${sha}`);
      if (!STATUS_STATES.has(body?.state)) return validation('Status', 'state');
      if (typeof body.description === 'string' && [...body.description].length > 140)
        return validation('Status', 'description', 'custom', 'description is too long (maximum is 140 characters)');
      if (body.context !== undefined && (typeof body.context !== 'string' || !body.context)) return validation('Status', 'context');
      const now = new Date().toISOString();
      const status = {
        ...CREATE_STATUS.response,
        url: `${base}/repos/${owner}/${repo}/statuses/${sha}`,
        id: nextId++,
        state: body.state,
        description: body.description ?? null,
        target_url: body.target_url ?? null,
        context: body.context ?? 'default',
        created_at: now,
        updated_at: now,
      };
      statuses.set(sha, [status, ...(statuses.get(sha) ?? [])]);
      return { status: 201, body: status };
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/.exec(path);
    if (method === 'GET' && m) return { status: 200, body: statuses.get(m[3]) ?? [] };
    m = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/.exec(path);
    if (method === 'POST' && m) {
      const [, owner, repo] = m;
      if (typeof body?.ref !== 'string' || !body.ref) return validation('Deployment', 'ref', 'missing_field');
      if (body.required_contexts !== undefined && !Array.isArray(body.required_contexts))
        return validation('Deployment', 'required_contexts');
      const id = nextId++;
      const now = new Date().toISOString();
      const url = `${base}/repos/${owner}/${repo}/deployments/${id}`;
      const deployment = {
        url,
        id,
        node_id: Buffer.from(`Deployment${id}`).toString('base64'),
        sha: /^[0-9a-f]{40}$/.test(body.ref) ? body.ref : '0'.repeat(40),
        ref: body.ref,
        task: body.task ?? 'deploy',
        payload: body.payload ?? {},
        original_environment: body.environment ?? 'production',
        environment: body.environment ?? 'production',
        description: body.description ?? null,
        creator: CREATE_STATUS.response.creator,
        created_at: now,
        updated_at: now,
        statuses_url: `${url}/statuses`,
        repository_url: `${base}/repos/${owner}/${repo}`,
        transient_environment: body.transient_environment ?? false,
        production_environment: body.production_environment ?? body.environment === 'production',
      };
      deployments.set(id, deployment);
      return { status: 201, body: deployment };
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(path);
    if (method === 'POST' && m) {
      const deployment = deployments.get(Number(m[3]));
      if (!deployment) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
      if (!DEPLOYMENT_STATES.has(body?.state)) return validation('DeploymentStatus', 'state');
      const id = nextId++;
      return {
        status: 201,
        body: {
          url: `${deployment.url}/statuses/${id}`,
          id,
          state: body.state,
          description: body.description ?? '',
          environment: body.environment ?? deployment.environment,
          environment_url: body.environment_url ?? '',
          log_url: body.log_url ?? '',
          target_url: body.log_url ?? '',
          deployment_url: deployment.url,
          repository_url: deployment.repository_url,
          creator: CREATE_STATUS.response.creator,
          created_at: new Date().toISOString(),
        },
      };
    }
    return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const path = new URL(req.url ?? '/', 'http://x').pathname.split('/').map(decodeURIComponent).join('/');
      const method = req.method ?? 'GET';
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const auth = headers.authorization ?? '';
      let a: StandInAnswer;
      if (o.token && auth !== `token ${o.token}` && auth !== `Bearer ${o.token}`)
        a = { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
      else {
        const f = failures.find((x) => x.left > 0 && (!x.method || x.method === method) && (!x.path || x.path.test(path)));
        if (f) {
          f.left--;
          a = f.answer;
        } else a = answer(method, path, body, `http://${req.headers.host}`);
      }
      calls.push({ seq: calls.length, method, path, body, headers, at, status: a.status, response: a.body });
      const reset = String(Math.floor(Date.now() / 1000) + 3600);
      res.writeHead(a.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-media-type': 'github.v3; format=json',
        'x-github-request-id': `STANDIN:${calls.length}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': reset,
        'x-ratelimit-used': '1',
        'x-ratelimit-resource': 'core',
        ...a.headers,
      });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    accepted: () => calls.filter((c) => c.status >= 200 && c.status < 300),
    failNext(answer, f = {}) {
      failures.push({ answer, left: f.times ?? 1, method: f.method, path: f.path });
    },
    clearFailures() {
      failures.length = 0;
    },
    waitFor(pred, timeoutMs = 30_000) {
      if (pred(calls)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(calls)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms; GitHub stand-in saw:\n${summarise(calls, true).join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One readable line per call (accepted ones only, unless `all`): `POST statuses/1a2b3c4 greenci/push pending "running test"`. */
export function summarise(calls: RecordedCall[], all = false): string[] {
  return calls
    .filter((c) => all || (c.status >= 200 && c.status < 300))
    .map((c) => {
      const answer = all ? ` → ${c.status}` : '';
      let m = /\/statuses\/([0-9a-f]{7})[0-9a-f]*$/.exec(c.path);
      if (m) return `${c.method} statuses/${m[1]} ${c.body?.context} ${c.body?.state} "${c.body?.description}"${answer}`;
      if (/\/deployments$/.test(c.path))
        return `${c.method} deployments ${c.body?.environment} ${String(c.body?.ref).slice(0, 7)} "${c.body?.description}"${c.response?.id ? ` → id ${c.response.id}` : ''}${answer}`;
      m = /\/deployments\/(\d+)\/statuses$/.exec(c.path);
      if (m)
        return `${c.method} deployments/${m[1]}/statuses ${c.body?.state} "${c.body?.description}"${c.body?.environment_url ? ` ${c.body.environment_url}` : ''}${answer}`;
      return `${c.method} ${c.path}${answer}`;
    });
}
