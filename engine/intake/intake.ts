import type { GreenciConfig } from '../../config/schema.js';
import { describeError, UsageError } from '../errors.js';
import type { Engine } from '../api.js';
import type { DeliveryOutcome, DeliveryRecord } from '../model.js';
import { decidePush, parseBody, repositoryOf } from './payload.js';
import { decidePullRequest } from './pull-request.js';
import { signedWith, verifySignature } from './signature.js';

/** A delivery as HTTP brought it. Header names lower-case. */
export interface IncomingDelivery {
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes exactly as received. */
  body: Buffer;
  /** `direct` (GitHub posted to us) or `smee` (forwarded by our own smee relay: only then are re-serialised forms tried). */
  via: 'direct' | 'smee';
  /** The secrets the body's raw bytes were signed with, when the server hashed them as they streamed in. */
  signedWith?: Set<string>;
}

/**
 * Unauthenticated bodies larger than this are refused unread: nothing about them is parsed or
 * stored. Signed bodies may be as large as GitHub sends (25 MB).
 */
export const MAX_UNAUTHENTICATED_BYTES = 1024 * 1024;
/** The longest repository name GitHub allows (owner 39, name 100); longer names are cut when stored. */
const MAX_REPOSITORY_CHARS = 140;

export interface IntakeAnswer {
  status: number;
  body: Record<string, unknown>;
}

const header = (d: IncomingDelivery, name: string): string | undefined => {
  const v = d.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

class Duplicate extends Error {}

/**
 * Turns a GitHub delivery into stored facts and queued builds. The order is what makes it
 * durable: verify, then store the delivery (with its build, in one transaction), then answer.
 * A redelivery of a stored id answers 200 and queues nothing.
 */
export class Intake {
  constructor(
    private readonly engine: Engine,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private get config(): GreenciConfig {
    return this.engine.config;
  }

  /** Every project's webhook secret: what a body's raw bytes may be signed with. */
  secrets(): string[] {
    return Object.values(this.config.projects).flatMap((p) => {
      const secret = p.webhookSecretEnv ? this.env[p.webhookSecretEnv] : undefined;
      return secret ? [secret] : [];
    });
  }

  async handle(d: IncomingDelivery): Promise<IntakeAnswer> {
    const answer = await this.decide(d);
    const id = header(d, 'x-github-delivery');
    this.engine.publish({
      type: 'delivery',
      status: answer.status,
      delivery: { id, event: header(d, 'x-github-event'), via: d.via, ...(answer.body.delivery as object) },
      message: String(answer.body.message ?? ''),
    });
    delete answer.body.delivery;
    return answer;
  }

  private async decide(d: IncomingDelivery): Promise<IntakeAnswer & { body: { delivery?: Partial<DeliveryRecord> } }> {
    const event = header(d, 'x-github-event');
    const id = header(d, 'x-github-delivery');
    if (!event || !id) return answer(400, 'not a GitHub delivery: X-GitHub-Event and X-GitHub-Delivery are required');
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(id) || !/^[a-z_]{1,50}$/.test(event))
      return answer(400, 'malformed X-GitHub-Event or X-GitHub-Delivery');
    const signature = header(d, 'x-hub-signature-256');
    // the raw bytes first: the common case, and all an unauthenticated sender gets to spend
    const signedBy = d.signedWith ?? signedWith(this.secrets(), d.body, signature);
    if (!signedBy.size && d.body.length > MAX_UNAUTHENTICATED_BYTES) {
      return answer(401, signature ? 'signature does not match' : 'unsigned delivery: X-Hub-Signature-256 is required');
    }
    const raw = d.body.toString('utf8');
    const parsed = parseBody(header(d, 'content-type'), raw);
    if (!parsed.ok) return answer(parsed.status, parsed.message);
    const payload = parsed.payload;
    const repository = repositoryOf(payload);

    // which project's secret to check: the named repository's, or (org-wide ping) any project's
    const candidates = repository
      ? Object.entries(this.config.projects).filter(([, p]) => p.github?.toLowerCase() === repository.toLowerCase())
      : Object.entries(this.config.projects).filter(([, p]) => p.github);
    if (repository && !candidates.length) {
      // a bounded summary, never the sender's text back
      const named = repository.slice(0, MAX_REPOSITORY_CHARS);
      const fresh = this.engine.deliveries.recordUnattributed({ id, event, repository: named, via: d.via, outcome: 'unknown-repository' });
      return answer(404, 'no project watches this repository', fresh ? { outcome: 'unknown-repository', repository: named } : undefined);
    }
    if (!signature) return answer(401, 'unsigned delivery: X-Hub-Signature-256 is required');
    let project: string | undefined;
    let verified: string | undefined;
    for (const [name, p] of candidates) {
      const secret = p.webhookSecretEnv ? this.env[p.webhookSecretEnv] : undefined;
      if (!secret) continue;
      // re-serialised forms only for what our own smee relay forwarded (smee.io re-encodes bodies)
      verified = signedBy.has(secret) ? 'raw' : d.via === 'smee' ? await verifySignature(secret, raw, signature, payload) : undefined;
      if (verified) {
        project = name;
        break;
      }
    }
    if (!project) return answer(401, 'signature does not match');
    if (this.engine.deliveries.has(id)) return duplicate(id, project);

    const base = { id, event, project, repository, via: d.via, verified };
    const store = (outcome: DeliveryOutcome, extra: Partial<DeliveryRecord> = {}) => {
      if (!this.engine.deliveries.record({ ...base, outcome, ...extra })) throw new Duplicate();
    };
    try {
      if (event === 'ping') return (store('ping'), answer(200, 'pong', { outcome: 'ping', project }));
      if (event === 'pull_request') return await this.pullRequest(project, payload, store, id);
      if (event !== 'push')
        return (store('ignored-event'), answer(200, `${event} events are recorded, not built`, { outcome: 'ignored-event', project }));
      const push = decidePush(payload);
      switch (push.kind) {
        case 'invalid':
          return (store('invalid', { detail: push.message }), answer(422, push.message, { outcome: 'invalid', project }));
        case 'tag':
          return (
            store('ignored-tag', { ref: push.ref }), answer(200, `tag push ${push.ref} is not built`, { outcome: 'ignored-tag', project })
          );
        case 'skip-ci':
          store('skip-ci', { ref: push.branch, after: push.after, detail: push.marker });
          return answer(200, `${push.marker} in the head commit: not built`, { outcome: 'skip-ci', project });
        case 'deleted': {
          store('branch-deleted', { ref: push.branch });
          void this.engine
            .branchDeleted(project, push.branch, `github:${String((payload.pusher as { name?: string })?.name ?? 'unknown')}`)
            .catch((err) =>
              this.engine.publish({
                type: 'delivery',
                status: 200,
                delivery: { id, project },
                message: `tearing down the test environment of ${push.branch} failed: ${describeError(err)}`,
              }),
            );
          return answer(200, `branch ${push.branch} deleted`, { outcome: 'branch-deleted', project });
        }
        case 'build': {
          const { kind: _kind, branch, after, ...info } = push;
          const build = await this.engine
            .enqueue(
              {
                project,
                branch,
                sha: after,
                trigger: d.via === 'smee' ? 'push (smee)' : 'push',
                requestedBy: info.pusherName ?? 'github',
                deliveryId: id,
                push: info,
              },
              (buildId) => store('queued', { ref: branch, after, buildId }),
            )
            .catch((err) => {
              if (err instanceof UsageError) return err;
              throw err;
            });
          if (build instanceof UsageError) {
            store('invalid', { ref: branch, after, detail: build.message });
            return answer(422, build.message, { outcome: 'invalid', project });
          }
          return {
            status: 202,
            body: { message: `build #${build.id} queued`, build: build.id, delivery: { outcome: 'queued', project, buildId: build.id } },
          };
        }
      }
    } catch (err) {
      if (err instanceof Duplicate) return duplicate(id, project);
      throw err;
    }
  }

  /** A `pull_request` delivery: its head built or joined, a fork refused, a close carried out, other actions recorded. */
  private async pullRequest(
    project: string,
    payload: Record<string, unknown>,
    store: StoreDelivery,
    id: string,
  ): Promise<IntakeAnswer & { body: { delivery?: Partial<DeliveryRecord> } }> {
    const decision = decidePullRequest(payload, this.config.projects[project].pullRequests);
    if (decision.kind === 'invalid')
      return (store('invalid', { detail: decision.message }), answer(422, decision.message, { outcome: 'invalid', project }));
    if (decision.kind === 'ignored-action') {
      store('ignored-action', { detail: decision.action });
      return answer(200, `pull_request ${decision.action} is recorded, not built`, { outcome: 'ignored-action', project });
    }
    const ref = `pull/${decision.number}`;
    const r = await this.engine
      .pullRequestEvent(project, decision, (outcome, buildId) => store(outcome, { ref, after: decision.headSha, buildId }), id)
      .catch((err) => {
        if (err instanceof UsageError) return err;
        throw err;
      });
    // a head branch git would refuse (or that displays as another name): nothing built, said plainly
    if (r instanceof UsageError) {
      store('invalid', { ref, after: decision.headSha, detail: r.message });
      return answer(422, r.message, { outcome: 'invalid', project });
    }
    const pr = r.pullRequest;
    const message =
      r.outcome === 'pr-queued'
        ? `pull request #${pr.number}: build #${r.build!.id} queued`
        : r.outcome === 'pr-joined'
          ? `pull request #${pr.number}: its head is build #${r.build!.id}`
          : r.outcome === 'pr-closed'
            ? `pull request #${pr.number} closed${r.build ? `; build #${r.build.id} cancelled` : ''}`
            : `pull request #${pr.number} ${pr.notBuilt}`;
    return {
      status: r.outcome === 'pr-queued' ? 202 : 200,
      body: { message, build: r.build?.id, delivery: { outcome: r.outcome, project, buildId: r.build?.id } },
    };
  }
}

type StoreDelivery = (outcome: DeliveryOutcome, extra?: Partial<DeliveryRecord>) => void;

function duplicate(id: string, project: string): IntakeAnswer {
  return {
    status: 200,
    body: { message: `delivery ${id} already received: nothing queued`, duplicate: true, delivery: { outcome: 'duplicate', project } },
  };
}

/** An answer, with what to tell the log and metrics about the delivery (not sent to GitHub). */
function answer(status: number, message: string, delivery?: Partial<DeliveryRecord>): IntakeAnswer {
  return { status, body: { message, delivery } };
}
