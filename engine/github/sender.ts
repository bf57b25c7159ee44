import { randomUUID } from 'node:crypto';
import type { GreenciConfig } from '../../config/schema.js';
import { OutboxRounds } from '../outbox-rounds.js';
import type { GithubCallRecord, GithubCallStore } from '../store/github-calls.js';
import type { LeaseStore } from '../store/leases.js';
import { GithubApi, GithubCallError } from './client.js';
import { afterFailure } from './retry.js';

export interface GithubSenderEvents {
  sent?(call: GithubCallRecord): void;
  /** `retryAt` undefined: GitHub refused it for good (the reason is kept for `greenci health`). */
  failed?(call: GithubCallRecord, error: string, retryAt: number | undefined): void;
  /** After each round: the figures changed (sent, failed, waiting). */
  round?(): void;
}

/** Rows another process stored are looked for this often. */
const POLL_MS = 15_000;

/**
 * Sends what the GitHub outbox holds, oldest first: each call marked sent as soon as GitHub took
 * it (a deployment keeps its GitHub id, which its statuses wait for). A failure GitHub may get
 * over (5xx, no answer) is tried again with backoff, across restarts; a rate limit (403/429 with
 * its reset or Retry-After) pauses every call until then; 401/404/422 are final. One process sends
 * (the `github` lease), like email.
 */
export class GithubSender {
  private readonly token = randomUUID();
  private readonly clients = new Map<string, GithubApi>();
  /** GitHub asked to wait (its rate limit) until then: calls stored meanwhile wait too. */
  private pausedUntil = 0;
  private forgotAt = 0;
  private readonly rounds = new OutboxRounds({
    round: () => this.round(),
    nextAt: () => {
      const next = this.calls.nextDueAt();
      return next === undefined ? undefined : Math.max(next, this.pausedUntil);
    },
    pollMs: POLL_MS,
  });

  constructor(
    private readonly calls: GithubCallStore,
    private readonly config: () => GreenciConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly on: GithubSenderEvents = {},
    private readonly leases?: LeaseStore,
  ) {}

  start(): void {
    this.rounds.start();
  }

  kick(): void {
    this.rounds.kick();
  }

  /** Waits for the round in progress and one more (so what was stored just now is tried). */
  flush(): Promise<void> {
    return this.rounds.flush();
  }

  async stop(): Promise<void> {
    await this.rounds.stop();
    try {
      this.leases?.release('github', this.token);
    } catch {
      // the store is closed: the lease dies with the process
    }
  }

  /** The client for a project's token and GitHub; undefined when its reporting left the config (or its token the environment). */
  private client(project: string): GithubApi | undefined {
    const p = this.config().projects[project];
    const token = p?.githubApi && this.env[p.githubApi.tokenEnv];
    if (!p?.githubApi || !token) return undefined;
    const key = `${p.githubApi.baseUrl}\n${token}`;
    let c = this.clients.get(key);
    if (!c) this.clients.set(key, (c = new GithubApi({ token, baseUrl: p.githubApi.baseUrl, userAgent: 'greenci' })));
    return c;
  }

  private async round(): Promise<void> {
    this.forgetOld();
    let mine = !this.leases;
    try {
      for (;;) {
        if (Date.now() < this.pausedUntil) return;
        const due = this.calls.due(Date.now(), 10);
        if (!due.length || this.rounds.stopped) return;
        if (!mine && !(mine = this.leases!.tryAcquire('github', this.token, 'reporting to GitHub').ok)) return;
        for (const call of due) {
          if (this.rounds.stopped) return;
          if (!(await this.sendOne(call))) return;
        }
      }
    } finally {
      this.on.round?.();
    }
  }

  /** What GitHub was told is kept as long as build logs (retention.buildLogs.days); looked at once an hour. */
  private forgetOld(now = Date.now()): void {
    if (now - this.forgotAt < 3_600_000) return;
    this.forgotAt = now;
    this.calls.forget(now - this.config().retention.buildLogs.days * 86_400_000);
  }

  /** Sends one call; false when GitHub is unreachable or asked greenci to wait (the round ends: the others would fare the same). */
  private async sendOne(call: GithubCallRecord): Promise<boolean> {
    let deploymentId: number | undefined;
    if (call.kind === 'deployment_status') {
      const d = call.deploymentKey ? this.calls.deployment(call.deploymentKey) : undefined;
      if (d?.status !== 'sent' || d.githubId === undefined) {
        const why = `not sent: its deployment was never created on GitHub${d?.lastError ? ` (${d.lastError})` : ''}`;
        this.calls.giveUp(call.id, why);
        this.on.failed?.(call, why, undefined);
        return true;
      }
      deploymentId = d.githubId;
    }
    const client = this.client(call.project);
    if (!client) {
      const why = `not sent: projects.${call.project}.githubApi (or its token) is no longer configured`;
      this.calls.giveUp(call.id, why);
      this.on.failed?.(call, why, undefined);
      return true;
    }
    try {
      const id = await client.send(call, deploymentId);
      this.calls.sent(call.id, id);
      this.on.sent?.(call);
      return true;
    } catch (err) {
      const e = err instanceof GithubCallError ? err : new GithubCallError(String(err));
      const now = Date.now();
      const verdict = afterFailure(e, call.attempts + 1, now);
      const retryAt = verdict.final ? undefined : verdict.at;
      this.calls.attemptFailed(call.id, e.message, retryAt, now);
      this.on.failed?.(call, e.message, retryAt);
      if (verdict.final) return true;
      // GitHub is down or asked to slow down: nothing else goes before then (kept in the rows, so a restart waits too)
      if (verdict.paused) {
        this.pausedUntil = verdict.at;
        this.calls.deferAll(verdict.at);
      } else this.calls.deferAll(verdict.at, call.project);
      return false;
    }
  }
}
