import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLocalPath, loadConfig, parseConfig } from '../../config/loader.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe("greenci's config", () => {
  it('the example in config/ is valid, so the docs cannot rot', () => {
    const { config, errors } = parseConfig(readFileSync(path.join(ROOT, 'config', 'greenci.example.yml'), 'utf8'), '/etc/greenci', {});
    expect(errors).toEqual([]);
    expect(config!.projects.green).toMatchObject({ repo: '/srv/git/green.git', productionBranch: 'master', imagePrefix: '' });
    expect(config!.dataDir).toBe('/etc/greenci/data');
    expect(config!.control.socket).toBe('/etc/greenci/data/greenci.sock');
    expect(config!.webhook).toEqual({ listen: '127.0.0.1:8080', path: '/webhook' });
    expect(config!.projects.green).toMatchObject({ github: 'acme/green', webhookSecretEnv: 'GREEN_WEBHOOK_SECRET' });
    expect(config!.smtp).toEqual({ host: '127.0.0.1', port: 2525, secure: false, from: 'greenci@example.com' });
    expect(config!.notify).toEqual({ lead: ['lead@example.com'], ops: ['ops@example.com'] });
  });

  it('email keys: no smtp means no email; addresses and variable names are checked with their paths', () => {
    const none = parseConfig('projects:\n  green:\n    repo: /g.git\n', '/srv/ci', {});
    expect(none.config!.smtp).toBeUndefined();
    expect(none.config!.notify).toEqual({ lead: [], ops: [] });
    const bad = parseConfig(
      'smtp:\n  host: mail\n  from: nobody\n  passwordEnv: "not a name"\nnotify:\n  lead: [lead-at-example]\nprojects:\n  green:\n    repo: /g.git\n',
      '/x',
      {},
    );
    expect(bad.errors.join('\n')).toMatch(/smtp\.from: must be an email address/);
    expect(bad.errors.join('\n')).toMatch(/smtp\.passwordEnv: must be an environment variable name/);
    expect(bad.errors.join('\n')).toMatch(/notify\.lead\.0: must be an email address/);
  });

  it('daemon keys: defaults, the socket next to the data, and clear errors for a bad schedule, address or a repository watched twice', () => {
    const ok = parseConfig('projects:\n  green:\n    repo: /g.git\n', '/srv/ci', {});
    expect(ok.config).toMatchObject({
      webhook: { listen: '127.0.0.1:8080', path: '/webhook' },
      control: { socket: '/srv/ci/data/greenci.sock' },
      queue: { parallel: 2, cancelRunningFeatureBuilds: true },
      reconcile: { schedule: '*/2 * * * *', watchDays: 14 },
      daemon: { shutdownGraceSeconds: 30 },
    });
    expect(ok.config!.metrics).toBeUndefined();
    const bad = parseConfig(
      'webhook:\n  listen: everywhere\nreconcile:\n  schedule: sometimes\nprojects:\n  a:\n    repo: /a.git\n    github: acme/one\n  b:\n    repo: /b.git\n    github: ACME/one\n',
      '/x',
      {},
    );
    expect(bad.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^webhook.listen: must be host:port/)]));
    const bad2 = parseConfig(
      'reconcile:\n  schedule: sometimes\nprojects:\n  a:\n    repo: /a.git\n    github: acme/one\n  b:\n    repo: /b.git\n    github: ACME/one\n',
      '/x',
      {},
    );
    expect(bad2.errors).toEqual([
      'reconcile.schedule: "sometimes" is not a cron expression',
      "projects.b.github: ACME/one is already project a's repository",
    ]);
  });

  it('warns when a watched repository has no usable webhook secret: its webhooks would all be refused', () => {
    const { warnings } = parseConfig(
      'projects:\n  a:\n    repo: /a.git\n    github: acme/a\n  b:\n    repo: /b.git\n    github: acme/b\n    webhookSecretEnv: B_SECRET\n',
      '/x',
      {},
    );
    expect(warnings).toEqual([
      'projects.a.webhookSecretEnv: not set, so every webhook for acme/a is refused (401)',
      'projects.b.webhookSecretEnv: environment variable B_SECRET is not set, so every webhook for acme/b is refused (401)',
    ]);
  });

  it('fills defaults and resolves relative paths against the file', () => {
    const { config } = parseConfig('projects:\n  green:\n    repo: ../git/green.git\n', '/srv/ci', {});
    expect(config).toMatchObject({
      dataDir: '/srv/ci/data',
      docker: { socket: '/var/run/docker.sock' },
      projects: { green: { repo: '/srv/git/green.git', productionBranch: 'master' } },
    });
    expect(parseConfig('projects:\n  green:\n    repo: git@github.com:acme/green.git\n', '/srv/ci', {}).config!.projects.green.repo).toBe(
      'git@github.com:acme/green.git',
    );
  });

  it('buildNetwork: absent by default (builds get no network); a Docker network name, never host', () => {
    const project = (extra: string) => parseConfig(`projects:\n  green:\n    repo: /g.git\n${extra}`, '/x', {});
    expect(project('').config!.projects.green.buildNetwork).toBeUndefined();
    expect(project('    buildNetwork: ci-builds\n').config!.projects.green.buildNetwork).toBe('ci-builds');
    expect(project('    buildNetwork: host\n').errors).toEqual([
      "projects.green.buildNetwork: host is refused: builds would reach the host's own loopback services",
    ]);
    expect(project('    buildNetwork: "two words"\n').errors).toEqual([
      'projects.green.buildNetwork: must be the name of a Docker network, e.g. bridge',
    ]);
  });

  it('reports every problem with its path', () => {
    const { errors } = parseConfig(
      'dataDir: 5\nprojects:\n  green:\n    productionBranch: ""\n    colour: blue\n  Bad_Name:\n    repo: x\n',
      '/x',
      {},
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        'dataDir: expected string, received number',
        'projects.green.repo: Required',
        'projects.green: Unrecognized key: colour',
        expect.stringMatching(/^projects.green.productionBranch: /),
        expect.stringMatching(/^projects.Bad_Name: .*lower-case/),
      ]),
    );
  });

  it('says what is wrong with YAML that does not parse, and with an empty file', () => {
    expect(parseConfig('projects: [unclosed', '/x', {}).errors[0]).toMatch(/^yaml: /);
    expect(parseConfig('', '/x', {}).errors).toEqual(['projects: Required']);
  });

  it('warns when a named secret variable is not set, and never reads secrets from the file', () => {
    const text = 'projects:\n  green:\n    repo: https://github.com/acme/green.git\n    gitTokenEnv: GREEN_TOKEN\n';
    expect(parseConfig(text, '/x', {}).warnings).toEqual(['projects.green.gitTokenEnv: environment variable GREEN_TOKEN is not set']);
    expect(parseConfig(text, '/x', { GREEN_TOKEN: 't' }).warnings).toEqual([]);
    expect(parseConfig(text.replace('GREEN_TOKEN', 'ghp_abc-123!'), '/x', {}).errors[0]).toMatch(
      /^projects.green.gitTokenEnv: must be an environment variable name/,
    );
  });

  it('finds the file: --config, then GREENCI_CONFIG, then ./greenci.config.yml', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-cfg-'));
    writeFileSync(path.join(dir, 'a.yml'), 'projects:\n  a:\n    repo: /a\n');
    writeFileSync(path.join(dir, 'greenci.config.yml'), 'projects:\n  local:\n    repo: /l\n');
    expect(Object.keys(loadConfig({ path: 'a.yml', cwd: dir, env: {} }).config!.projects)).toEqual(['a']);
    expect(Object.keys(loadConfig({ cwd: dir, env: { GREENCI_CONFIG: path.join(dir, 'a.yml') } }).config!.projects)).toEqual(['a']);
    expect(Object.keys(loadConfig({ cwd: dir, env: {} }).config!.projects)).toEqual(['local']);
    expect(loadConfig({ path: 'missing.yml', cwd: dir, env: {} }).errors[0]).toMatch(/missing.yml: cannot read \(ENOENT\)/);
  });

  it('tells local paths from remotes', () => {
    expect(isLocalPath('/srv/git/green.git')).toBe(true);
    expect(isLocalPath('./green.git')).toBe(true);
    expect(isLocalPath('https://github.com/acme/green.git')).toBe(false);
    expect(isLocalPath('ssh://git@host/green.git')).toBe(false);
    expect(isLocalPath('git@github.com:acme/green.git')).toBe(false);
  });
});
