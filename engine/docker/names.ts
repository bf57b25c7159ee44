import type { EnvKey } from '../../config/project-spec.js';

/** Resource names and labels. Names are for people; greenci finds resources by label. */

export const LABEL = {
  project: 'greenci.project',
  env: 'greenci.env',
  service: 'greenci.service',
  release: 'greenci.release',
  build: 'greenci.build',
  commit: 'greenci.commit',
  app: 'greenci.app',
  role: 'greenci.role',
  fingerprint: 'greenci.fingerprint',
  /** Production apps under the front proxy: the proxy's server slot (`a`/`b`) a release's app fills. */
  slot: 'greenci.slot',
  /** An app's health path, so the monitor checks what the deploy checked. */
  health: 'greenci.health',
  /** A preview environment's branch (its `env` label is the `preview-<slug>` key). */
  preview: 'greenci.preview',
} as const;

/** How a caller may name a container: an id (or its prefix) or a name, as Docker allows them. */
export const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export const containerName = (project: string, env: EnvKey, service: string): string => `${project}-${env}-${service}`;
export const networkName = (project: string, env: EnvKey): string => `${project}-${env}`;
export const volumeName = (project: string, env: EnvKey, service: string): string => `${project}-${env}-${service}-data`;
export const testStepContainerName = (project: string, buildId: number, step: string): string => `${project}-test-run-${buildId}-${step}`;

/** Labels every resource of an environment carries. `release` is a version or `build-<id>`. */
export function envLabels(project: string, env: EnvKey, release: string): Record<string, string> {
  return { [LABEL.project]: project, [LABEL.env]: env, [LABEL.release]: release };
}

/** Docker filter for "everything of this project's environment". */
export function envFilter(project: string, env: EnvKey): { label: string[] } {
  return { label: [`${LABEL.project}=${project}`, `${LABEL.env}=${env}`] };
}
