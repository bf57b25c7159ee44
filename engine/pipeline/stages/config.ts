import { loadProjectFile } from '../../../config/project-file.js';
import { StageError } from '../../errors.js';
import type { Stage } from '../context.js';

/** Reads and validates the commit's greenci.yml; a broken one fails here, naming each problem's path. */
export const readConfig: Stage = {
  name: 'config',
  async run(ctx) {
    const result = loadProjectFile(ctx.workdir!);
    if (result.errors.length) {
      for (const e of result.errors) ctx.log(`greenci.yml: ${e}`, 'stderr');
      throw new StageError(`greenci.yml is invalid: ${result.errors.join('; ')}`);
    }
    ctx.spec = result.spec;
    const apps = result.spec!.services.filter((s) => s.kind === 'app').map((s) => s.name);
    const services = result.spec!.services.filter((s) => s.kind === 'service').map((s) => s.name);
    ctx.log(
      `apps: ${apps.join(', ')}; services: ${services.join(', ') || 'none'}; test steps: ${result.spec!.tests.map((t) => t.name).join(', ') || 'none'}`,
    );
  },
};
