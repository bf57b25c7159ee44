import { describe, expect, it } from 'vitest';
import { loadProjectFile, parseProjectFile } from '../../config/project-file.js';
import { GREEN_PROJECT, variantTree } from '../helpers/origin.js';

const minimal = (extra = '') => `apps:\n  web:\n    build: web\n    port: 8080\n${extra}`;

describe('greenci.yml', () => {
  it("the sample project's file normalises into start order with the documented defaults", () => {
    const { spec, errors } = loadProjectFile(GREEN_PROJECT);
    expect(errors).toEqual([]);
    expect(spec!.services.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'service:weight-db',
      'app:weight',
      'service:billing-db',
      'app:billing',
    ]);
    expect(spec!.services.find((s) => s.name === 'billing')).toEqual({
      name: 'billing',
      kind: 'app',
      build: { context: 'billing', dockerfile: 'Dockerfile', args: {}, network: false },
      port: 8080,
      health: '/health',
      command: undefined,
      env: { DB_HOST: 'billing-db', DB_NAME: 'billing', DB_USER: 'billing', WEIGHT_URL: 'http://weight:8080', RATE_PER_KG: '0.5' },
      // the password is a host secret: only its name is in the repository
      secrets: { DB_PASSWORD: 'BILLING_DB_PASSWORD' },
      dependsOn: ['billing-db', 'weight'],
    });
    expect(spec!.services.find((s) => s.name === 'weight-db')).toMatchObject({
      env: { MARIADB_DATABASE: 'weight', MARIADB_USER: 'weight' },
      secrets: { MARIADB_PASSWORD: 'WEIGHT_DB_PASSWORD' },
      volume: '/var/lib/mysql',
      healthcheck: { test: ['CMD', 'greenci-mariadb-health'], intervalMs: 1000, timeoutMs: 5000, retries: 30, startPeriodMs: 60_000 },
      backup: { dump: ['mariadb-dump', '--single-transaction', '--databases', 'weight'], restore: ['mariadb'] },
    });
    expect(spec!.tests).toEqual([
      {
        name: 'api',
        build: { context: 'tests', dockerfile: 'Dockerfile', args: {}, network: false },
        image: undefined,
        command: undefined,
        env: { BILLING_URL: 'http://billing:8080', WEIGHT_URL: 'http://weight:8080' },
        timeoutMs: 120_000,
      },
    ]);
    expect(spec!.environments.production).toEqual({
      bind: '127.0.0.1',
      ports: { billing: 8001, weight: 8002 },
      env: {},
      restart: 'unless-stopped',
      memoryBytes: 256 * 1024 ** 2,
      nanoCpus: 500_000_000,
      healthTimeoutMs: 60_000,
      release: { verifyMs: 5_000, keepWarmMs: 600_000, warm: 'running' },
    });
    expect(spec!.environments.test.release).toBeUndefined();
    expect(spec!.environments.test).toMatchObject({ bind: '127.0.0.1', ports: {}, restart: 'no' });
  });

  it('the broken-config variant fails naming each path and problem', () => {
    const { errors } = loadProjectFile(variantTree('broken-config'));
    expect(errors).toEqual(['apps.weight.build: Required', 'apps.billing.port: expected number, received string']);
  });

  it('reports unknown keys, bad names, dangling depends_on, cycles and port clashes with their paths', () => {
    const text = [
      'apps:',
      '  web:',
      '    build: web',
      '    port: 8080',
      '    prot: 1',
      '    depends_on: [db, ghost]',
      '  api:',
      '    build: api',
      '    port: 8080',
      '    depends_on: [web]',
      'services:',
      '  db:',
      '    image: pg:local',
      '    depends_on: [web]',
      '  Bad_Name:',
      '    image: x:1',
      'environments:',
      '  production:',
      '    ports: {web: 80, api: 80, nope: 81}',
    ].join('\n');
    const { errors } = parseProjectFile(text);
    expect(errors).toEqual(['apps.web: Unrecognized key: prot', expect.stringMatching(/^services.Bad_Name: invalid name: /)]);
    const logical = parseProjectFile(text.replace('    prot: 1\n', '').replace(/ {2}Bad_Name:\n {4}image: x:1\n/, ''));
    expect(logical.errors).toEqual([
      'apps.web.depends_on.1: no app or service named ghost',
      'depends_on: a cycle (web -> db -> web)',
      'environments.production.ports.nope: no app named nope',
      'environments.production.ports.api: port 80 is already used by web',
    ]);
  });

  it('refuses a host port both environments would publish on the same address', () => {
    const env = (bind: string) =>
      `environments:\n  test:\n    bind: ${bind}\n    ports: {web: 8001}\n  production:\n    ports: {web: 8001}\n`;
    expect(parseProjectFile(minimal(env('127.0.0.1'))).errors).toEqual([
      'environments.production.ports.web: port 8001 is also used by the test environment (web)',
    ]);
    expect(parseProjectFile(minimal(env('0.0.0.0'))).errors).toHaveLength(1);
    expect(parseProjectFile(minimal(env('127.0.0.2'))).errors).toEqual([]);
  });

  it('keeps build contexts inside the repository and checks they exist', () => {
    expect(parseProjectFile(minimal().replace('build: web', 'build: ../../etc')).errors).toEqual([
      'apps.web.build: must stay inside the repository (got "../../etc")',
    ]);
    expect(parseProjectFile(minimal().replace('build: web', 'build: /etc')).errors).toEqual([
      'apps.web.build: must stay inside the repository (got "/etc")',
    ]);
    expect(parseProjectFile(minimal(), () => false).errors).toEqual(['apps.web.build: no directory "web" in the repository']);
    expect(
      parseProjectFile(
        minimal(),
        () => true,
        () => false,
      ).errors,
    ).toEqual(['apps.web.build: no Dockerfile at "web/Dockerfile"']);
    expect(loadProjectFile('/nonexistent').errors).toEqual(['greenci.yml: not found at the repository root']);
  });

  it('services need exactly one of build or image; durations and sizes must parse', () => {
    expect(parseProjectFile(minimal('services:\n  db:\n    volume: /data\n')).errors).toEqual([
      'services.db: needs exactly one of build or image',
    ]);
    expect(parseProjectFile(minimal('environments:\n  test:\n    health_timeout: soon\n')).errors).toEqual([
      'environments.test.health_timeout: not a duration: "soon" (use e.g. 500ms, 30s, 2m)',
    ]);
    expect(parseProjectFile(minimal('environments:\n  production:\n    resources: {memory: lots}\n')).errors).toEqual([
      'environments.production.resources.memory: not a size: "lots" (use e.g. 256m, 1g)',
    ]);
  });

  it('build.network asks for a network for RUN steps: off unless set, true or false only, errors keep their path', () => {
    const build = (b: string) => parseProjectFile(minimal().replace('build: web', `build: ${b}`));
    expect(build('web').spec!.services[0].build!.network).toBe(false);
    expect(build('{ context: web, network: true }').spec!.services[0].build).toEqual({
      context: 'web',
      dockerfile: 'Dockerfile',
      args: {},
      network: true,
    });
    expect(build('{ context: web, network: "yes please" }').errors).toEqual(['apps.web.build.network: must be true or false']);
    expect(parseProjectFile(minimal('tests:\n  - name: t\n    build: { context: t, network: 1 }\n')).errors).toEqual([
      'tests.0.build.network: must be true or false',
    ]);
  });

  it('says where YAML does not parse', () => {
    expect(parseProjectFile('apps: [oops').errors[0]).toMatch(/^greenci.yml: /);
    expect(parseProjectFile('').errors).toEqual(['apps: Required']);
  });
});

describe('greenci.yml environments.preview', () => {
  it('is off unless present; present, it gets the test defaults (but stays up across restarts), its range and a limit of 3', () => {
    expect(parseProjectFile(minimal()).spec!.preview).toBeUndefined();
    const { spec, errors } = parseProjectFile(
      minimal('environments:\n  preview:\n    ports: 20100-20109\n    env:\n      web: {MODE: preview}\n'),
    );
    expect(errors).toEqual([]);
    expect(spec!.preview).toEqual({
      portRange: { from: 20100, to: 20109 },
      max: 3,
      environment: {
        bind: '127.0.0.1',
        ports: {},
        env: { web: { MODE: 'preview' } },
        restart: 'unless-stopped',
        memoryBytes: undefined,
        nanoCpus: undefined,
        healthTimeoutMs: 60_000,
      },
    });
  });

  it('names each problem: no range, a range that is not one, too small for its limit, clashing with a fixed port', () => {
    const errs = (yaml: string) => parseProjectFile(minimal(yaml)).errors;
    expect(errs('environments:\n  preview:\n    max: 2\n').join('\n')).toMatch(/environments\.preview\.ports/);
    expect(errs('environments:\n  preview:\n    ports: 20100\n').join('\n')).toMatch(/must be a range of host ports such as 20100-20199/);
    expect(errs('environments:\n  preview:\n    ports: 20109-20100\n').join('\n')).toMatch(/not a usable range of host ports: 20109-20100/);
    expect(errs('environments:\n  preview:\n    ports: 80-90\n').join('\n')).toMatch(/not a usable range/);
    expect(errs('environments:\n  preview:\n    ports: 20100-20101\n    max: 3\n')).toEqual([
      'environments.preview.ports: 20100-20101 holds 2 ports; 3 previews of 1 app need 3',
    ]);
    expect(errs('environments:\n  preview:\n    ports: 20100-20101\n    max: 50\n').join('\n')).toMatch(/environments\.preview\.max/);
    expect(errs('environments:\n  production:\n    ports: {web: 20100}\n  preview:\n    ports: 20100-20105\n')).toEqual([
      "environments.preview.ports: 20100 is in the range but the production environment's web uses it",
    ]);
    expect(errs('environments:\n  preview:\n    ports: 20100-20105\n    release: {verify: 5s}\n').join('\n')).toMatch(/release/);
  });
});
