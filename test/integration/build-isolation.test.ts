import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { docker, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { GREEN_PROJECT } from '../helpers/origin.js';
import { waitUntil } from '../helpers/wait.js';

const WEIGHT_DOCKERFILE = readFileSync(path.join(GREEN_PROJECT, 'weight', 'Dockerfile'), 'utf8');
const BILLING_DOCKERFILE = readFileSync(path.join(GREEN_PROJECT, 'billing', 'Dockerfile'), 'utf8');
const TESTS_DOCKERFILE = readFileSync(path.join(GREEN_PROJECT, 'tests', 'Dockerfile'), 'utf8');
const GREENCI_YML = readFileSync(path.join(GREEN_PROJECT, 'greenci.yml'), 'utf8');
/** The sample's weight app, with `lines` put in after its FROM: it still runs as the app. */
const weightWith = (...lines: string[]) =>
  WEIGHT_DOCKERFILE.replace('FROM greenci/node-mysql2:20-local\n', `FROM greenci/node-mysql2:20-local\n${lines.join('\n')}\n`);

describe('a pushed Dockerfile reaches neither the host, nor a network, nor another project’s images', () => {
  let g: GreenSetup;
  let buildNet: string;
  const loopbackSecret = `loopback-secret-${uniqueProject('s')}`;
  let loopback: http.Server;
  let loopbackHits = 0;
  const victimProject = uniqueProject('victim');
  const victimSecret = `release-secret-${victimProject}`;
  const victimImage = `greenci-test-victim:${victimProject}`;
  const triggerImage = `greenci-test-onbuild:${victimProject}`;

  beforeAll(async () => {
    g = await setupGreen({ projectExtra: `    buildNetwork: ${(buildNet = `${uniqueProject('builds')}`)}` });
    await docker.ensureNetwork(buildNet, { [LABEL.project]: g.project });
    // a secret served on the host's loopback only, as a local admin endpoint would be
    loopback = http.createServer((_, res) => (loopbackHits++, res.end(loopbackSecret)));
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    // another project's release image, with a secret baked in
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-victim-'));
    writeFileSync(path.join(dir, 'secret.txt'), victimSecret);
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY secret.txt /secret.txt\n');
    await docker.buildImage({
      contextDir: dir,
      dockerfile: 'Dockerfile',
      tags: [victimImage],
      labels: { [LABEL.project]: victimProject },
      onLine: () => undefined,
    });
    // an image of the project's own, carrying a trigger that would fetch from the loopback when built FROM
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM scratch\nONBUILD ADD http://127.0.0.1:${(loopback.address() as AddressInfo).port}/secret /secret\n`,
    );
    await docker.buildImage({
      contextDir: dir,
      dockerfile: 'Dockerfile',
      tags: [triggerImage],
      labels: { [LABEL.project]: g.project },
      onLine: () => undefined,
    });
    rmSync(dir, { recursive: true, force: true });
    await g.origin.checkoutNewBranch('feature/isolation');
  });
  afterAll(async () => {
    loopback?.close();
    await g?.cleanup();
    await removeProjectResources(victimProject);
  });

  /** Writes the files, commits, pushes and runs a build of the branch. */
  async function push(files: Record<string, string>, message: string) {
    for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(g.origin.work, rel), text);
    await g.origin.commitAll(message);
    await g.origin.push('feature/isolation');
    const build = await g.engine.run({ project: g.project, branch: 'feature/isolation', requestedBy: 'attacker' });
    return { build, log: g.engine.logs(build.id) };
  }
  const restored = {
    'weight/Dockerfile': WEIGHT_DOCKERFILE,
    'billing/Dockerfile': BILLING_DOCKERFILE,
    'tests/Dockerfile': TESTS_DOCKERFILE,
    'greenci.yml': GREENCI_YML,
  };

  it('ADD of a URL on the host loopback is refused before anything is built, however it is spelt; nothing is fetched', async () => {
    const url = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}/secret`;
    const { build, log } = await push(
      {
        'weight/Dockerfile': weightWith(`ADD ${url} /secret`),
        // a lower-case instruction split across a continued line under a backtick escape
        'billing/Dockerfile': `# escape=\`\n${BILLING_DOCKERFILE.replace('COPY server.js /app/\n', `COPY server.js /app/\na\`\ndd \`\n  ${url} /secret\n`)}`,
      },
      'feat: fetch a secret from the host',
    );

    expect(build.status).toBe('failed');
    expect(build.reason).toBe(
      `build: weight: weight/Dockerfile is refused: line 4: ADD: ${url}: remote sources are refused (the engine would fetch them from the host's own network); fetch it elsewhere and COPY it from the repository (and 1 more in the build log)`,
    );
    const refusals = log.filter((l) => l.stage === 'build' && l.stream === 'stderr').map((l) => l.line);
    expect(refusals).toEqual([
      expect.stringMatching(new RegExp(`^weight: weight/Dockerfile: line 4: ADD: ${url}: remote sources are refused`)),
      expect.stringMatching(new RegExp(`^billing: billing/Dockerfile: line 7: ADD: ${url}: remote sources are refused`)),
    ]);
    expect(log.some((l) => l.stage === 'build' && /^building /.test(l.line))).toBe(false);
    expect(loopbackHits).toBe(0);
    expect(log.some((l) => l.line.includes(loopbackSecret))).toBe(false);
  });

  it("COPY --from another project's image is refused, directly or through a FROM stage; so is a base image with ONBUILD triggers", async () => {
    const { build, log } = await push(
      {
        ...restored,
        'weight/Dockerfile': weightWith(`COPY --from=${victimImage} /secret.txt /stolen.txt`),
        'billing/Dockerfile': `FROM ${victimImage} AS loot\n${BILLING_DOCKERFILE}COPY --from=loot /secret.txt /stolen.txt\n`,
        'tests/Dockerfile': `FROM ${triggerImage}\n`,
      },
      'feat: read the billing release of another project',
    );

    expect(build.status).toBe('failed');
    const refusals = log.filter((l) => l.stage === 'build' && l.stream === 'stderr').map((l) => l.line);
    expect(refusals).toEqual([
      `weight: weight/Dockerfile: line 4: COPY: --from=${victimImage}: neither an earlier stage of this Dockerfile nor an image it builds FROM; a build may not read other images (write \`FROM <image> AS <name>\` and copy from that stage)`,
      `billing: billing/Dockerfile: base image ${victimImage} belongs to project ${victimProject}: a build may use its own project's images and the host's base images, not another project's`,
      expect.stringMatching(
        new RegExp(
          `^test:api: tests/Dockerfile: base image ${triggerImage} has ONBUILD triggers \\(ADD http://127\\.0\\.0\\.1:\\d+/secret /secret\\); greenci does not run them$`,
        ),
      ),
    ]);
    expect(build.reason).toBe(
      `build: ${refusals[0].replace('weight/Dockerfile:', 'weight/Dockerfile is refused:')} (and 2 more in the build log)`,
    );
    expect(log.some((l) => l.line.includes(victimSecret))).toBe(false);
    expect(loopbackHits).toBe(0);
  });

  it('RUN steps have no network unless greenci.yml asks and the operator gives one; then they reach that network only', async () => {
    // a server on the network the operator named for builds (created by this test)
    const server = await docker.createContainer({
      name: `${g.project}-build-peer`,
      Image: 'greenci/node:20-local',
      Cmd: [
        'node',
        '-e',
        "require('http').createServer((q, s) => s.end('hello from the build network')).listen(8080, () => console.log('listening'))",
      ],
      Labels: { [LABEL.project]: g.project },
      HostConfig: { NetworkMode: buildNet, Init: true },
    });
    await docker.startContainer(server);
    await waitUntil(
      async () => (await docker.containerLogs(server)).some((l) => l.includes('listening')),
      'the build peer to listen',
      30_000,
    );
    const ip = (await docker.inspectContainer(server))!.NetworkSettings.Networks[buildNet].IPAddress;
    // unique to this run: Docker's build cache ignores the network mode, so an identical RUN an
    // earlier run built online would be reused here instead of running offline
    const probe = `/* ${g.project} */ require('http').get('http://${ip}:8080/', (r) => r.on('data', (d) => console.log('reply: ' + d))).on('error', (e) => { console.log('no network: ' + e.code); process.exit(1); })`;
    const dockerfile = weightWith(`RUN ${JSON.stringify(['node', '-e', probe])}`);

    // Given a Dockerfile whose RUN needs the network, and a greenci.yml that does not ask for one
    const offline = await push({ ...restored, 'weight/Dockerfile': dockerfile }, 'feat: a RUN that phones out');
    expect(offline.build.status).toBe('failed');
    expect(offline.build.reason).toMatch(
      /^build: building weight failed: .*returned a non-zero code: 1 \(RUN steps have no network; see build.network in the README\)$/,
    );
    expect(offline.log.some((l) => l.stage === 'build' && l.line === 'no network: ENETUNREACH')).toBe(true);
    expect(offline.log.some((l) => l.line.includes('hello from the build network'))).toBe(false);

    // When greenci.yml asks for a network for weight's build (and greenci's config names one)
    const yml = GREENCI_YML.replace(/^ {4}build: weight .*$/m, '    build: { context: weight, network: true }');
    const online = await push({ 'greenci.yml': yml }, 'chore: weight needs the network to build');
    expect(online.build.status, online.build.reason).toBe('success');
    expect(
      online.log.some(
        (l) =>
          l.stage === 'build' &&
          l.line === `building ${g.project}-weight:feature-isolation-test from weight/Dockerfile (RUN steps on the network ${buildNet})`,
      ),
    ).toBe(true);
    expect(online.log.some((l) => l.stage === 'build' && l.line === 'reply: hello from the build network')).toBe(true);
  });

  it('a greenci.yml that asks for a network the operator has not given is refused at build', async () => {
    const h = await setupGreen();
    try {
      writeFileSync(
        path.join(h.origin.work, 'greenci.yml'),
        GREENCI_YML.replace(/^ {4}build: weight .*$/m, '    build: { context: weight, network: true }'),
      );
      await h.origin.commitAll('chore: ask for a network');
      await h.origin.push('master');
      const build = await h.engine.run({ project: h.project, branch: 'master' });

      expect(build.status).toBe('failed');
      expect(build.reason).toBe(
        `build: weight is refused: greenci.yml asks for a network for RUN steps (build.network: true), but greenci's config gives project ${h.project} none (projects.${h.project}.buildNetwork)`,
      );
      expect(h.engine.logs(build.id).some((l) => l.stage === 'build' && /^building /.test(l.line))).toBe(false);
    } finally {
      await h.cleanup();
    }
  });
});
