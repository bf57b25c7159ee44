/** Which stages a build runs: a pure decision from the branch and the project's production branch. */

export type StageName = 'checkout' | 'config' | 'build' | 'deploy-test' | 'test' | 'promote' | 'deploy-production' | 'release';

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
