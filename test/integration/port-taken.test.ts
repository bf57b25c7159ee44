import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

/** Checked before touched: a production port another program holds fails the release before anything in production changes. */
describe('a production port held by another program', () => {
  let g: GreenSetup;
  let squatter: net.Server;

  beforeAll(async () => {
    g = await setupGreen();
    squatter = net.createServer((s) => s.end('not greenci\n'));
    await new Promise<void>((resolve) => squatter.listen(g.ports.billing, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((r) => squatter?.close(r));
    await g?.cleanup();
  });

  it('fails the release before production is touched, saying which port; once free, the release goes through', async () => {
    await g.origin.commitAll('feat: first release');
    await g.origin.push('master');
    const build = await g.engine.run({ project: g.project, branch: 'master' });
    expect(build.status).toBe('failed');
    expect(build.reason).toBe(
      `deploy-production: v0.1.0 was not released (port ${g.ports.billing} on 127.0.0.1 is held by another program; production was not changed); production has no release`,
    );
    // nothing of production was started: no database, no app, no proxy
    expect(await docker.listContainers([`greenci.project=${g.project}`, 'greenci.env=production'])).toEqual([]);

    await new Promise((r) => squatter.close(r));
    const again = await g.engine.run({ project: g.project, branch: 'master' });
    expect(again.status, again.reason).toBe('success');
    expect(g.engine.releases(g.project).live?.version).toBe(again.version);
  });
});
