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
  });

  it('fills defaults and resolves relative paths against the file', () => {
    const { config } = parseConfig('projects:\n  green:\n    repo: ../git/green.git\n', '/srv/ci', {});
    expect(config).toMatchObject({ dataDir: '/srv/ci/data', docker: { socket: '/var/run/docker.sock' }, projects: { green: { repo: '/srv/git/green.git', productionBranch: 'master' } } });
    expect(parseConfig('projects:\n  green:\n    repo: git@github.com:acme/green.git\n', '/srv/ci', {}).config!.projects.green.repo).toBe('git@github.com:acme/green.git');
  });

  it('reports every problem with its path', () => {
    const { errors } = parseConfig('dataDir: 5\nprojects:\n  green:\n    productionBranch: ""\n    colour: blue\n  Bad_Name:\n    repo: x\n', '/x', {});
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
    expect(parseConfig(text.replace('GREEN_TOKEN', 'ghp_abc-123!'), '/x', {}).errors[0]).toMatch(/^projects.green.gitTokenEnv: must be an environment variable name/);
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
