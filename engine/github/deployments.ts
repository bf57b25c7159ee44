import type { DeploymentRecord } from '../model.js';
import { fitDescription } from './commit-status.js';

/** A deployment as GitHub's API takes it (`POST /repos/{owner}/{repo}/deployments`). */
export interface DeploymentBody {
  /** The commit deployed (GitHub takes a SHA as the ref). */
  ref: string;
  task: 'deploy';
  environment: string;
  description: string;
  auto_merge: false;
  /** Empty: greenci deploys what it tested itself; GitHub must not refuse for other contexts. */
  required_contexts: string[];
  production_environment: boolean;
  transient_environment: boolean;
  payload: { greenci: { deployment: number; kind: string; build?: number; version?: string; requestedBy?: string } };
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** A deployment's status (`POST /repos/{owner}/{repo}/deployments/{id}/statuses`). */
export interface DeploymentStatusBody {
  state: DeploymentState;
  description: string;
  environment_url?: string;
  log_url?: string;
  auto_inactive?: boolean;
}

/** The deployments GitHub hears of: the test environment's, previews', and every change to production's releases. */
const REPORTED: ReadonlySet<string> = new Set([
  'test/deploy',
  'preview/deploy',
  'production/promote',
  'production/rollback',
  'production/auto-rollback',
]);

export const isReportedDeployment = (d: DeploymentRecord) => REPORTED.has(`${d.env}/${d.kind}`);

/** What a deployment is, in GitHub's words; `previous`: the version production ran before (a rollback names it). */
export function deploymentBody(d: DeploymentRecord, sha: string, branch?: string): DeploymentBody {
  const production = d.env === 'production';
  const version = d.version ?? 'an earlier release';
  const description =
    d.kind === 'promote'
      ? `release ${d.version ?? ''}${d.buildId !== undefined ? ` (build #${d.buildId})` : ''}`
      : d.kind === 'auto-rollback'
        ? `automatic rollback to ${version}${d.reason ? `: ${d.reason}` : ''}`
        : d.kind === 'rollback'
          ? `rollback to ${version} by ${d.requestedBy ?? 'an operator'}${d.reason ? `: ${d.reason}` : ''}`
          : d.env === 'preview'
            ? `preview of ${d.target ?? branch ?? 'a branch'}, build #${d.buildId ?? '?'}`
            : `test environment for build #${d.buildId ?? '?'}${branch ? ` of ${branch}` : ''}`;
  return {
    ref: sha,
    task: 'deploy',
    environment: production ? 'production' : d.env === 'preview' ? previewEnvironment(d.target ?? branch ?? 'unknown') : 'test',
    description: fitDescription(description),
    auto_merge: false,
    required_contexts: [],
    production_environment: production,
    transient_environment: !production,
    payload: {
      greenci: {
        deployment: d.id,
        kind: d.kind,
        ...(d.buildId !== undefined ? { build: d.buildId } : {}),
        ...(d.version ? { version: d.version } : {}),
        ...(d.requestedBy ? { requestedBy: d.requestedBy } : {}),
      },
    },
  };
}

/** A preview's GitHub environment: `preview/<branch>` (GitHub takes up to 255 characters). */
export const previewEnvironment = (branch: string): string => `preview/${branch}`.slice(0, 255);

/** The origin of an environment's first app (by name): what GitHub links as the environment's URL. */
export function environmentUrl(endpoints: Record<string, string> | undefined): string | undefined {
  const first = Object.entries(endpoints ?? {}).sort(([a], [b]) => a.localeCompare(b))[0]?.[1];
  return first && URL.canParse(first) ? new URL(first).origin : undefined;
}

/** A preview's deployment once the preview is gone: inactive, saying why. */
export function previewGoneBody(teardown: DeploymentRecord): DeploymentStatusBody {
  return { state: 'inactive', description: fitDescription(`preview removed: ${teardown.reason ?? 'torn down'}`) };
}

/** Where a deployment stands, in GitHub's words: `in_progress` while greenci works, then how it ended. */
export function deploymentStatusBody(d: DeploymentRecord, o: { logUrl?: string } = {}): DeploymentStatusBody {
  const what = d.env === 'production' ? (d.version ?? 'the release') : `build #${d.buildId ?? '?'}`;
  // an endpoint is where an app's health check answered: the environment's URL is its origin
  const url = environmentUrl(d.endpoints);
  const common = o.logUrl ? { log_url: o.logUrl } : {};
  switch (d.status) {
    case 'running':
      return { state: 'in_progress', description: fitDescription(`deploying ${what}`), ...common };
    case 'success':
      return { state: 'success', description: fitDescription(`${what} is live`), ...(url ? { environment_url: url } : {}), ...common };
    case 'failed':
      return { state: 'failure', description: fitDescription(`${what} failed: ${d.reason ?? 'no reason recorded'}`), ...common };
    case 'interrupted':
      return { state: 'error', description: fitDescription(`${what} interrupted: ${d.reason ?? 'greenci stopped'}`), ...common };
  }
}
