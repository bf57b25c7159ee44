import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_TAG } from '../../engine/docker/tags.js';
import { greenci, greenciDone } from '../helpers/cli.js';
import { docker, envContainers } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';

const NO_STACK = /^\s+at /m;

describe('the command line: usage and config errors', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-cli-'));
  const write = (name: string, text: string) => (writeFileSync(path.join(dir, name), text), path.join(dir, name));

  it('--help lists the commands and exits 0', async () => {
    const r = await greenciDone(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['run', 'builds', 'logs', 'releases', 'rollback', 'demo']) expect(r.stdout).toContain(`greenci ${c}`);
  });

  it('a config missing a required key: exit 2, the path and problem, no stack trace', async () => {
    const r = await greenciDone([
      'run',
      'green',
      '--branch',
      'master',
      '--config',
      write('missing.yml', 'projects:\n  green:\n    productionBranch: master\n'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('projects.green.repo: Required');
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('config YAML that does not parse, and no config at all: exit 2 with a clear message', async () => {
    const bad = await greenciDone(['builds', '--config', write('bad.yml', 'projects: {green: [')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid config in .*bad\.yml:\n\s+- yaml: /);
    const none = await greenciDone(['builds'], { GREENCI_CONFIG: path.join(dir, 'nope.yml') });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/nope\.yml: cannot read \(ENOENT\)/);
  });

  it('usage mistakes exit 2 and say how to call it', async () => {
    const cfg = write('ok.yml', `dataDir: ${dir}/data\nprojects:\n  green:\n    repo: ${dir}/none.git\n`);
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['run', 'green', '--config', cfg], /--branch is required\nusage: greenci run/],
      [['run', 'green', '--branch', 'master', '--bogus', '--config', cfg], /Unknown option '--bogus'/],
      [['run', 'blue', '--branch', 'master', '--config', cfg], /no project "blue" in the config \(known: green\)/],
      [['run', 'green', '--branch', 'has space', '--config', cfg], /not a valid branch name: "has space"/],
      [['run', 'green', '--branch', 'master', '--sha', 'HEAD;id', '--config', cfg], /not a commit sha: "HEAD;id"/],
      [['logs', 'x', '--config', cfg], /name one build id/],
      [['builds', '--limit', '0', '--config', cfg], /--limit takes a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await greenciDone(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(NO_STACK);
    }
    const builds = await greenciDone(['builds', '--json', '--config', cfg]);
    expect(JSON.parse(builds.stdout)).toEqual([]);
  });
});

describe('the command line against a real pipeline', () => {
  let g: GreenSetup;
  const marker = path.join(os.tmpdir(), `greenci-pwned-${process.pid}`);
  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '10s' });
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('hostile branch names never reach a shell and still give valid image tags', async () => {
    const hostile = [`$(touch$IFS${marker})`, `x;touch$IFS${marker}-2|true&&\`id\``, `ünïcödé/ブランチ-${'x'.repeat(200)}`];
    for (const branch of hostile) {
      await g.origin.checkoutNewBranch(branch, 'master');
      await g.origin.push(branch);
      const r = await greenciDone(['run', g.project, '--branch', branch, '--json', '--config', g.configFile]);
      const events = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const build = events.at(-1);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(build, r.stdout + r.stderr).toMatchObject({ event: 'build', branch, status: 'success' });
      expect(events.filter((e) => e.event === 'stage').map((e) => e.name)).toEqual(['checkout', 'config', 'build', 'deploy-test', 'test']);
      const tag = `${build.refSlug}-test`;
      expect(tag).toMatch(DOCKER_TAG);
      expect(await docker.imageId(`${g.project}-billing:${tag}`)).toMatch(/^sha256:/);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}-2`)).toBe(false);
    await g.origin.checkout('master');
  });

  it('run prints a line per stage; builds, logs and releases read what was recorded', async () => {
    const run = await greenciDone(['run', g.project, '--branch', 'master', '--config', g.configFile], { USER: 'ops-alice' });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^build #\\d+ ${g.project} master$`));
    expect(lines.slice(1, 9).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '✔ checkout ok',
      '✔ config ok',
      '✔ build ok',
      '✔ deploy-test ok',
      '✔ test ok',
      '✔ promote ok',
      '✔ deploy-production ok',
      '✔ release ok',
    ]);
    for (const l of lines.slice(1, 9)) expect(l).toMatch(/\d+\.\ds$/);
    expect(lines[9]).toMatch(/^✔ build #\d+ succeeded in \d+\.\ds: production runs v0\.1\.0$/);
    const id = Number(/^build #(\d+)/.exec(lines[0])![1]);

    const builds = JSON.parse((await greenciDone(['builds', g.project, '--json', '--config', g.configFile])).stdout);
    expect(builds[0]).toMatchObject({ id, branch: 'master', status: 'success', version: 'v0.1.0', requestedBy: 'ops-alice' });
    expect(builds).toHaveLength(4);
    const table = (await greenciDone(['builds', '--config', g.configFile])).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+PROJECT\s+BRANCH\s+COMMIT\s+STATUS\s+VERSION\s+STARTED\s+TOOK/);
    expect(table[1]).toMatch(new RegExp(`^${id}\\s+${g.project}\\s+master\\s+[0-9a-f]{12}\\s+success\\s+v0\\.1\\.0`));

    const logs = await greenciDone(['logs', String(id), '--config', g.configFile]);
    expect(logs.stdout).toMatch(/^== checkout\n/);
    expect(logs.stdout).toMatch(/== test\n(.*\n)*.*ok - billing/);
    expect(logs.stdout).toContain('== release');

    const releases = await greenciDone(['releases', g.project, '--json', '--config', g.configFile]);
    expect(JSON.parse(releases.stdout)).toEqual([expect.objectContaining({ version: 'v0.1.0', live: true, tagPushed: true })]);
    const text = await greenciDone(['releases', g.project, '--config', g.configFile]);
    expect(text.stdout).toMatch(/^\*\s+v0\.1\.0\s+[0-9a-f]{12}\s+#\d+ .* pushed /m);
  });

  it('rollback from the command line needs an earlier release and says so', async () => {
    const r = await greenciDone(['rollback', g.project, '--config', g.configFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/v0\.1\.0 is the first release: there is nothing older to roll back to/);
  });

  it('without a daemon the commands work in-process: status says so, trigger and retry run the build here', async () => {
    const status = await greenciDone(['status', '--config', g.configFile], g.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^daemon: not running/);
    expect(status.stdout).toMatch(new RegExp(`^${g.project}\\s+v0\\.1\\.0\\s+promote v0\\.1\\.0 success`, 'm'));
    const trig = await greenciDone(['trigger', g.project, '--branch', 'master', '--config', g.configFile], { ...g.env, USER: 'ops-bob' });
    expect(trig.code, trig.stderr).toBe(0);
    expect(trig.stdout).toMatch(/\(no daemon: running it here\)/);
    expect(trig.stdout).toMatch(/^✔ build #\d+ succeeded in [\d.]+s/m);
    const id = Number(/build #(\d+)/.exec(trig.stdout)![1]);
    const retry = await greenciDone(['retry', String(id), '--json', '--config', g.configFile], { ...g.env, USER: 'ops-bob' });
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      status: 'success',
      retryOf: id,
      trigger: 'retry',
      requestedBy: 'ops-bob',
    });
  });

  it('Ctrl-C during a run cancels the build cleanly: no test containers left, production untouched', async () => {
    await g.origin.checkoutNewBranch('feature/slow', 'master');
    await g.origin.commitAll('chore: to be cancelled');
    await g.origin.push('feature/slow');
    const before = await envContainers(g.project, 'production');
    const run = greenci(['run', g.project, '--branch', 'feature/slow', '--config', g.configFile]);
    await run.waitFor(/✔ build /);
    run.child.kill('SIGINT');
    const r = await run.done;

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/⊘ deploy-test\s+cancelled/);
    expect(r.stdout).toMatch(/⊘ build #\d+ cancelled in .*: cancelled during deploy-test/);
    expect(Object.keys(await envContainers(g.project, 'test'))).toEqual([]);
    const after = await envContainers(g.project, 'production');
    expect(Object.fromEntries(Object.entries(after).map(([k, c]) => [k, c.Id]))).toEqual(
      Object.fromEntries(Object.entries(before).map(([k, c]) => [k, c.Id])),
    );
    expect(readdirSync(path.join(g.dataDir, 'work', g.project))).toEqual([]);
  });
});
