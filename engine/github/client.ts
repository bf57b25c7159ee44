import { Octokit } from '@octokit/rest';
import type { GithubCallRecord } from '../store/github-calls.js';
import type { GithubFailure } from './retry.js';

/** A call GitHub did not take, with what it answered (or why nothing came back). */
export class GithubCallError extends Error implements GithubFailure {
  constructor(
    message: string,
    readonly status?: number,
    readonly headers?: Record<string, string | number | undefined>,
  ) {
    super(message);
    this.name = 'GithubCallError';
  }
}

/** One call is given this long before it counts as failed (and is tried again later). */
const CALL_TIMEOUT_MS = 30_000;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * GitHub's REST API through octokit, the only module that imports it. No retries here: the
 * outbox owns them (durable across restarts, and it honours GitHub's rate limits for every call).
 */
export class GithubApi {
  private readonly octokit: Octokit;

  constructor(o: { token: string; baseUrl: string; userAgent: string }) {
    this.octokit = new Octokit({ auth: o.token, baseUrl: o.baseUrl.replace(/\/+$/, ''), userAgent: o.userAgent, log: quiet });
  }

  /** Sends one stored call; resolves with the id GitHub gave what it created. Throws GithubCallError. */
  async send(call: GithubCallRecord, deploymentId?: number): Promise<number | undefined> {
    const [owner, repo] = call.repo.split('/');
    const request = { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) };
    try {
      if (call.kind === 'status') {
        const { sha, ...body } = call.body as { sha: string; state: 'pending'; context: string; description: string };
        const r = await this.octokit.rest.repos.createCommitStatus({ owner, repo, sha, ...body, request });
        return r.data.id;
      }
      if (call.kind === 'deployment') {
        const r = await this.octokit.rest.repos.createDeployment({
          owner,
          repo,
          ...(call.body as { ref: string }),
          request,
        });
        // 202: GitHub merged the default branch in instead of deploying (greenci asks auto_merge: false)
        if (!('id' in r.data)) throw new GithubCallError(`GitHub created no deployment: ${r.data.message ?? r.status}`, 422);
        return r.data.id;
      }
      if (deploymentId === undefined) throw new GithubCallError('its deployment was never created on GitHub', 404);
      const r = await this.octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: deploymentId,
        ...(call.body as { state: 'success' }),
        request,
      });
      return r.data.id;
    } catch (err) {
      throw toCallError(err);
    }
  }
}

/** octokit's RequestError (or a fetch failure) as GitHub's answer: status, headers, and GitHub's own message. */
function toCallError(err: unknown): GithubCallError {
  if (err instanceof GithubCallError) return err;
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string>; data?: unknown }; cause?: unknown };
  const data = e.response?.data as { message?: string; errors?: unknown[] } | undefined;
  // no answer at all: octokit reports fetch failures (refused, reset, timed out) as status 500 without a response
  const status = e.response ? e.status : undefined;
  const detail = data?.errors?.length ? ` (${JSON.stringify(data.errors).slice(0, 300)})` : '';
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  const message =
    status === undefined
      ? `GitHub did not answer: ${e.message ?? String(err)}${cause}`
      : `GitHub answered ${status}: ${data?.message ?? e.message ?? ''}${detail}`;
  return new GithubCallError(message, status, e.response?.headers);
}
