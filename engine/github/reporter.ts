import type { GreenciConfig, ProjectConfig } from '../../config/schema.js';
import type { EngineEvent } from '../events.js';
import { maskWith } from '../mask.js';
import type { BuildRecord, DeploymentRecord } from '../model.js';
import type { NewGithubCall } from '../store/github-calls.js';
import type { Store } from '../store/index.js';
import { commitStatusOf, statusContext } from './commit-status.js';
import { deploymentBody, deploymentStatusBody, isReportedDeployment } from './deployments.js';

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
            : [];
    let added = false;
    for (const c of calls) if (this.store.github.add(c)) added = true;
    if (added) this.queued();
  }

  private reporting(project: string): Reporting | undefined {
    return reportingOf(this.config().projects[project], this.env);
  }

  private mask(text: string): string {
    return maskWith(this.secrets())(text);
  }

  /** The build's status under each context it reports to (`<context>/push`; pull requests add `/pr`). */
  private buildCalls(b: BuildRecord | undefined): NewGithubCall[] {
    if (!b) return [];
    const r = this.reporting(b.project);
    if (!r) return [];
    const context = statusContext(r.context, 'push');
    const found = commitStatusOf(b, context, r.publicUrl);
    if (!found) return [];
    const body = { ...found.body, description: this.mask(found.body.description) };
    return [
      {
        project: b.project,
        repo: r.repo,
        kind: 'status',
        key: `status:${found.sha}:${context}`,
        body: { sha: found.sha, ...body },
        summary: `${context} ${body.state} "${body.description}" on ${short(found.sha)}`,
        dedupeKey: `status:${b.id}:${context}:${body.state}:${body.description}`,
      },
    ];
  }

  /** A deployment GitHub hears of: created once (with the commit it put in place), then its states. */
  private deploymentCalls(d: DeploymentRecord): NewGithubCall[] {
    if (!isReportedDeployment(d)) return [];
    const r = this.reporting(d.project);
    if (!r) return [];
    const build = d.buildId !== undefined ? this.store.builds.get(d.buildId) : undefined;
    const release = d.releaseId !== undefined ? this.store.releases.release(d.releaseId) : undefined;
    const sha = release?.sha ?? build?.sha ?? build?.requestedSha;
    if (!sha) return [];
    const deploymentKey = `deployment:${d.project}:${d.id}`;
    const calls: NewGithubCall[] = [];
    const created = deploymentBody(d, sha, d.env === 'test' ? build?.branch : undefined);
    calls.push({
      project: d.project,
      repo: r.repo,
      kind: 'deployment',
      key: deploymentKey,
      body: { ...created, description: this.mask(created.description) },
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
      body: { ...status, description: this.mask(status.description) },
      summary: `deployment ${created.environment} ${status.state} "${status.description}"`,
      dedupeKey: `deployment-status:${d.project}:${d.id}:${status.state}`,
    });
    return calls;
  }
}
