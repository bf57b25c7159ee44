/** Which stages a build runs: a pure decision from the branch and the project's production branch. */

export type StageName = 'checkout' | 'config' | 'build' | 'deploy-test' | 'test' | 'preview' | 'promote' | 'deploy-production' | 'release';

export interface PlannedStage {
  name: StageName;
  title: string;
}

const COMMON: PlannedStage[] = [
  { name: 'checkout', title: 'Check out the commit' },
  { name: 'config', title: 'Read greenci.yml' },
  { name: 'build', title: 'Build images' },
  { name: 'deploy-test', title: 'Deploy the test environment' },
  { name: 'test', title: 'Run the tests' },
];

const PRODUCTION: PlannedStage[] = [
  { name: 'promote', title: 'Tag images for production' },
  { name: 'deploy-production', title: 'Deploy to production and verify' },
  { name: 'release', title: 'Tag the release in git' },
];

export function planStages(branch: string, productionBranch: string): PlannedStage[] {
  return branch === productionBranch ? [...COMMON, ...PRODUCTION] : [...COMMON];
}

/** The stage a build adds once its greenci.yml asks for previews (runner: `ctx.planStage`). */
export const PREVIEW_STAGE: PlannedStage = { name: 'preview', title: 'Deploy the preview environment' };

/**
 * Whether a build, once its greenci.yml is read, also deploys its branch's preview: only when the
 * file asks for previews, and never for the production branch (production is its preview).
 */
export function wantsPreview(branch: string, productionBranch: string, previewsConfigured: boolean): boolean {
  return previewsConfigured && branch !== productionBranch;
}

/** `greenci release`: a build already built and tested is promoted, deployed and tagged, nothing else. */
export function planReleaseStages(): PlannedStage[] {
  return PRODUCTION.map((s) => ({ ...s }));
}

/**
 * A lock held over a range of stages, Kamal's lock scope: the runner takes `<lock>:<project>`
 * before the first stage starts and lets it go after the last one ends, or at once when a stage
 * in between fails or is cancelled. Stages never take or release these locks themselves.
 */
export interface LockScope {
  lock: 'test' | 'production';
  first: StageName;
  last: StageName;
}

const SCOPES: LockScope[] = [
  // the project's test environment serves one build at a time: from its deployment until the tests are done
  { lock: 'test', first: 'deploy-test', last: 'test' },
  // production changes one build at a time: from choosing the version until the release is tagged
  { lock: 'production', first: 'promote', last: 'release' },
];

/** The lock scopes over a build's planned stages: each scope whose first and last stage the build runs. */
export function planLockScopes(stages: readonly { name: StageName }[]): LockScope[] {
  const at = (name: StageName) => stages.findIndex((s) => s.name === name);
  return SCOPES.filter((s) => at(s.first) >= 0 && at(s.last) >= at(s.first)).map((s) => ({ ...s }));
}
