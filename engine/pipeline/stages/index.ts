import type { Stage } from '../context.js';
import type { StageName } from '../plan.js';
import { buildImages } from './build.js';
import { checkout } from './checkout.js';
import { readConfig } from './config.js';
import { deployProduction } from './deploy-production.js';
import { deployTest } from './deploy-test.js';
import { deployPreview } from './preview.js';
import { promote } from './promote.js';
import { releaseTag } from './release.js';
import { runTests } from './test.js';

/** Every stage by name; plan.ts decides which of them a build runs. */
export const STAGES: Record<StageName, Stage> = {
  checkout,
  config: readConfig,
  build: buildImages,
  'deploy-test': deployTest,
  test: runTests,
  preview: deployPreview,
  promote,
  'deploy-production': deployProduction,
  release: releaseTag,
};
