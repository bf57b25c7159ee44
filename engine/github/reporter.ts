import type { GreenciConfig, ProjectConfig } from '../../config/schema.js';
import type { EngineEvent } from '../events.js';
import { maskWith } from '../mask.js';
import type { BuildRecord, DeploymentRecord, PullRequestRecord } from '../model.js';
import type { NewGithubCall } from '../store/github-calls.js';
import type { Store } from '../store/index.js';
import { type CommitStatusBody, commitStatusOf, fitDescription, statusContext } from './commit-status.js';
import {
  deploymentBody,
  deploymentStatusBody,
  environmentUrl,
  isReportedDeployment,
  previewEnvironment,
  previewGoneBody,
} from './deployments.js';

/** A project greenci reports to GitHub for: its repository, and the parts of githubApi the calls need. */
export interface Reporting {
  repo: string;
  context: string;
  publicUrl?: string;
}

/** Whether a project reports to GitHub: `github` and `githubApi` set, and its token variable holds a value. */
export function reportingOf(p: ProjectConfig | undefined, env: NodeJS.ProcessEnv): Reporting | undefined {
  if (!p?.github || !p.githubApi || !env[p.githubApi.tokenEnv]) return undefined;
  return { repo: p.github, context: p.githubApi.context, publicUrl: p.githubApi.publicUrl };
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * Turns what happened into GitHub calls in the outbox (the sender takes them from there): a
 * build's progress and end as its commit's status, a deployment to the test environment or a
 * change to production as a GitHub deployment and its statuses. Each event gives at most one call
 * (a dedupe key per build, state and words, or per deployment and state).
 */
export class GithubReporter {
  constructor(
    private readonly store: Store,
    private readonly config: () => GreenciConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly queued: () => void,
    /** Values never sent to GitHub (tokens, secrets): masked wherever a reason carried them. */
    private readonly secrets: () => string[] = () => [],
  ) {}

  handle(e: EngineEvent): void {
    const calls =
      e.type === 'build.updated'
        ? this.buildCalls(e.build)
        : e.type === 'stage.updated'
          ? this.buildCalls(this.store.builds.get(e.buildId))
          : e.type === 'deployment.updated'
            ? this.deploymentCalls(e.deployment)
            : e.type === 'pull_request.updated'
              ? this.pullRequestCalls(e.pullRequest)
              : [];
    let added = false;
    for (const c of calls) if (this.store.github.add(c)) added = true;
    if (added) this.queued();
  }

  /**
   * After a crash: what changed in the last `withinMs` and has no call stored yet (greenci died
   * between recording a build's end and storing its status) is stored now. Everything stored
   * before is skipped by its dedupe key, so nothing goes twice; older history is left alone (turning
   * reporting on does not post last month's builds).
   */
  catchUp(now = Date.now(), withinMs = 60 * 60_000): void {
    const since = now - withinMs;
    for (const b of this.store.builds.list({ limit: 200 }).reverse())
      if ((b.finishedAt ?? b.startedAt ?? b.createdAt) >= since) this.handle({ type: 'build.updated', build: b });
    for (const project of Object.keys(this.config().projects))
      for (const d of this.store.releases.deployments(project, undefined, 50).reverse())
        if ((d.finishedAt ?? d.startedAt) >= since) this.handle({ type: 'deployment.updated', deployment: d });
  }

  private reporting(project: string): Reporting | undefined {
    return reportingOf(this.config().projects[project], this.env);
  }

  private mask(text: string): string {
    return maskWith(this.secrets())(text);
  }

  /** The build's status under each context it reports to: `<context>/push`, and `<context>/pr` while an open pull request has its commit at the head. */
  private buildCalls(b: BuildRecord | undefined): NewGithubCall[] {
    if (!b) return [];
    const r = this.reporting(b.project);
    if (!r) return [];
    const sha = b.sha ?? b.requestedSha;
    const prContext = statusContext(r.context, 'pr');
    // an open pull request has this commit at its head, or the build reported for one before (superseded by a newer head, it ends `error` there too)
    const pr =
      (sha !== undefined && this.store.pullRequests.openOfCommit(b.project, sha).length > 0) ||
      this.store.github.reportedUnder(b.id, prContext);
    return [...this.statusCall(b, r, statusContext(r.context, 'push')), ...(pr ? this.statusCall(b, r, prContext) : [])];
  }

  private statusCall(b: BuildRecord, r: Reporting, context: string): NewGithubCall[] {
    // the branch's preview, when this build put it up
    const preview = this.store.previews.get(b.project, b.branch);
    const previewUrl = preview?.buildId === b.id && preview.state === 'live' ? environmentUrl(preview.endpoints) : undefined;
    const found = commitStatusOf(b, context, r.publicUrl, previewUrl);
    if (!found) return [];
    return [this.status(b.project, r, found.sha, { ...found.body }, `status:${b.id}:${context}:${found.body.state}`)];
  }

  private status(project: string, r: Reporting, sha: string, body: CommitStatusBody, dedupe: string): NewGithubCall {
    // masked first: a masked secret may lengthen the words past GitHub's limit
    const description = fitDescription(this.mask(body.description));
    return {
      project,
      repo: r.repo,
      kind: 'status',
      key: `status:${sha}:${body.context}`,
      body: { sha, ...body, description },
      summary: `${body.context} ${body.state} "${description}" on ${short(sha)}`,
      dedupeKey: `${dedupe}:${description}`,
    };
  }

  /** A pull request's own status: its head's build (joined or queued for it), or why it is not built. */
  private pullRequestCalls(pr: PullRequestRecord): NewGithubCall[] {
    if (pr.state !== 'open') return [];
    const r = this.reporting(pr.project);
    if (!r) return [];
    const context = statusContext(r.context, 'pr');
    if (pr.notBuilt)
      return [
        this.status(
          pr.project,
          r,
          pr.headSha,
          { state: 'error', context, description: fitDescription(pr.notBuilt) },
          `pr:${pr.number}:${pr.headSha}:not-built`,
        ),
      ];
    const b = pr.buildId !== undefined ? this.store.builds.get(pr.buildId) : undefined;
    return b ? this.statusCall(b, r, context) : [];
  }

  /** A deployment GitHub hears of: created once (with the commit it put in place), then its states. */
  private deploymentCalls(d: DeploymentRecord): NewGithubCall[] {
    if (d.env === 'preview' && d.kind === 'teardown') return this.previewGoneCalls(d);
    if (!isReportedDeployment(d)) return [];
    const r = this.reporting(d.project);
    if (!r) return [];
    const build = d.buildId !== undefined ? this.store.builds.get(d.buildId) : undefined;
    const release = d.releaseId !== undefined ? this.store.releases.release(d.releaseId) : undefined;
    const sha = release?.sha ?? build?.sha ?? build?.requestedSha;
    if (!sha) return [];
    const deploymentKey = `deployment:${d.project}:${d.id}`;
    const calls: NewGithubCall[] = [];
    const created = deploymentBody(d, sha, d.env === 'production' ? undefined : build?.branch);
    calls.push({
      project: d.project,
      repo: r.repo,
      kind: 'deployment',
      key: deploymentKey,
      body: { ...created, description: fitDescription(this.mask(created.description)) },
      summary: `deployment ${created.environment} of ${short(sha)} (${d.kind}${d.version ? ` ${d.version}` : ''})`,
      dedupeKey: deploymentKey,
    });
    const logUrl = r.publicUrl && d.buildId !== undefined ? `${r.publicUrl.replace(/\/+$/, '')}/builds/${d.buildId}` : undefined;
    const status = deploymentStatusBody(d, { logUrl });
    calls.push({
      project: d.project,
      repo: r.repo,
      kind: 'deployment_status',
      key: `deployment-status:${d.project}:${d.id}`,
      deploymentKey,
      body: { ...status, description: fitDescription(this.mask(status.description)) },
      summary: `deployment ${created.environment} ${status.state} "${status.description}"`,
      dedupeKey: `deployment-status:${d.project}:${d.id}:${status.state}`,
    });
    return calls;
  }

  /** A preview removed: its last deployment on GitHub becomes `inactive` (GitHub greys out its environment). */
  private previewGoneCalls(teardown: DeploymentRecord): NewGithubCall[] {
    if (teardown.status !== 'success') return [];
    const r = this.reporting(teardown.project);
    if (!r) return [];
    const shown = this.store.releases
      .deployments(teardown.project, 'preview', 200)
      .find((d) => d.kind === 'deploy' && d.target === teardown.target && d.id < teardown.id);
    if (!shown) return [];
    const status = previewGoneBody(teardown);
    return [
      {
        project: teardown.project,
        repo: r.repo,
        kind: 'deployment_status',
        key: `deployment-status:${shown.project}:${shown.id}`,
        deploymentKey: `deployment:${shown.project}:${shown.id}`,
        body: { ...status, description: fitDescription(this.mask(status.description)) },
        summary: `deployment ${previewEnvironment(teardown.target ?? '')} inactive "${status.description}"`,
        dedupeKey: `deployment-status:${shown.project}:${shown.id}:inactive`,
      },
    ];
  }
}
