import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grantedSecretValues, plainEnvOf, resolveSecrets, secretRefsOf, type SecretSources } from '../../config/host-secrets.js';
import { parseConfig } from '../../config/loader.js';
import { parseProjectFile } from '../../config/project-file.js';
import type { EnvironmentSpec, ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import { readSecretsFile } from '../../config/secrets-file.js';
import { serviceContainerSpec, serviceFingerprint } from '../../engine/docker/specs.js';
import { maskWith } from '../../engine/mask.js';

/** greenci.yml of a small project using host secrets: its own, an environment's, and a plain override. */
const YML = [
  'apps:',
  '  billing:',
  '    build: billing',
  '    port: 8080',
  '    env:',
  '      DB_URL: http://billing-db:7000',
  '      DB_PASSWORD: {secret: DB_PASSWORD}',
  '      LOG_TOKEN: {secret: LOG_TOKEN}',
  '    depends_on: [billing-db]',
  'services:',
  '  billing-db:',
  '    image: db:local',
  '    env:',
  '      MARIADB_PASSWORD: {secret: DB_PASSWORD}',
  '      MARIADB_USER: billing',
  'environments:',
  '  test:',
  '    env:',
  '      billing: {LOG_TOKEN: none}',
  '  production:',
  '    env:',
  '      billing: {PAYMENT_KEY: {secret: PAYMENT_KEY}, LOG_LEVEL: warn}',
  '',
].join('\n');

const spec = (): ProjectSpec => {
  const r = parseProjectFile(YML);
  expect(r.errors).toEqual([]);
  return r.spec!;
};
const svc = (s: ProjectSpec, name: string): ServiceSpec => s.services.find((x) => x.name === name)!;

const grants = {
  test: { billing: { DB_PASSWORD: 'TEST_DB_PW' }, 'billing-db': { DB_PASSWORD: 'TEST_DB_PW' } },
  production: {
    billing: { DB_PASSWORD: 'PROD_DB_PW', LOG_TOKEN: 'LOG_TOKEN', PAYMENT_KEY: 'PAY_KEY' },
    'billing-db': { DB_PASSWORD: 'PROD_DB_PW' },
  },
};
const sources = (o: Partial<SecretSources> = {}): SecretSources => ({
  project: 'green',
  config: { secrets: grants, secretsFile: '/etc/greenci/green.env' },
  env: { TEST_DB_PW: 'env-test-pw', PROD_DB_PW: 'env-prod-pw', LOG_TOKEN: 'log-token-1', PAY_KEY: 'pay-key-1' },
  file: { values: { PROD_DB_PW: 'file-prod-pw' } },
  ...o,
});

describe('greenci.yml: secrets by name', () => {
  it('keeps plain values in env and secret references (variable → secret name) apart; a spec without secrets has no secrets key', () => {
    const s = spec();
    expect(svc(s, 'billing')).toEqual({
      name: 'billing',
      kind: 'app',
      build: { context: 'billing', dockerfile: 'Dockerfile', args: {}, network: false },
      port: 8080,
      health: '/health',
      command: undefined,
      env: { DB_URL: 'http://billing-db:7000' },
      secrets: { DB_PASSWORD: 'DB_PASSWORD', LOG_TOKEN: 'LOG_TOKEN' },
      dependsOn: ['billing-db'],
    });
    expect(svc(s, 'billing-db').env).toEqual({ MARIADB_USER: 'billing' });
    expect(svc(s, 'billing-db').secrets).toEqual({ MARIADB_PASSWORD: 'DB_PASSWORD' });
    expect(s.environments.production.env).toEqual({ billing: { LOG_LEVEL: 'warn' } });
    expect(s.environments.production.secrets).toEqual({ billing: { PAYMENT_KEY: 'PAYMENT_KEY' } });
    expect(s.environments.test.env).toEqual({ billing: { LOG_TOKEN: 'none' } });
    expect('secrets' in s.environments.test).toBe(false);
    const plain = parseProjectFile('apps:\n  web:\n    build: web\n    port: 80\n    env: {A: 1}\n').spec!;
    expect('secrets' in plain.services[0]).toBe(false);
  });

  it('refuses a malformed reference, and secrets for test steps, naming the path', () => {
    const text = [
      'apps:',
      '  web:',
      '    build: web',
      '    port: 80',
      '    env:',
      '      A: {secret: "not a name"}',
      '      B: {secret: X, extra: 1}',
      '      C: [1]',
      'tests:',
      '  - name: t',
      '    image: t:local',
      '    env: {TOKEN: {secret: TOKEN}}',
      '',
    ].join('\n');
    expect(parseProjectFile(text).errors).toEqual([
      'apps.web.env.A: must be text, a number, true/false or {secret: NAME} (NAME: letters, digits and _)',
      'apps.web.env.B: must be text, a number, true/false or {secret: NAME} (NAME: letters, digits and _)',
      'apps.web.env.C: must be text, a number, true/false or {secret: NAME} (NAME: letters, digits and _)',
      'tests.0.env.TOKEN: secrets reach apps and services only, not test steps',
    ]);
  });

  it("an environment's layer replaces the service's variable whether plain or secret", () => {
    const s = spec();
    expect(secretRefsOf(svc(s, 'billing'), s.environments.test)).toEqual({ DB_PASSWORD: 'DB_PASSWORD' });
    expect(plainEnvOf(svc(s, 'billing'), s.environments.test)).toEqual({ DB_URL: 'http://billing-db:7000', LOG_TOKEN: 'none' });
    expect(secretRefsOf(svc(s, 'billing'), s.environments.production)).toEqual({
      DB_PASSWORD: 'DB_PASSWORD',
      LOG_TOKEN: 'LOG_TOKEN',
      PAYMENT_KEY: 'PAYMENT_KEY',
    });
    const env: EnvironmentSpec = { ...s.environments.production, env: {}, secrets: { 'billing-db': { MARIADB_USER: 'DB_USER' } } };
    expect(plainEnvOf(svc(s, 'billing-db'), env)).toEqual({});
    expect(secretRefsOf(svc(s, 'billing-db'), env)).toEqual({ MARIADB_PASSWORD: 'DB_PASSWORD', MARIADB_USER: 'DB_USER' });
  });
});

describe('resolving host secrets (config + environment + file → values or problems)', () => {
  it('every secret found: the file first, then greenci’s environment; one secret may feed several variables and services', () => {
    expect(resolveSecrets(spec(), 'production', sources())).toEqual({
      values: {
        billing: { DB_PASSWORD: 'file-prod-pw', LOG_TOKEN: 'log-token-1', PAYMENT_KEY: 'pay-key-1' },
        'billing-db': { MARIADB_PASSWORD: 'file-prod-pw' },
      },
      problems: [],
    });
    expect(resolveSecrets(spec(), 'test', sources())).toEqual({
      values: { billing: { DB_PASSWORD: 'env-test-pw' }, 'billing-db': { MARIADB_PASSWORD: 'env-test-pw' } },
      problems: [],
    });
  });

  it('names each missing secret (in start order), its app or service, the environment and where greenci looked, and gives no values', () => {
    const src = sources({
      config: {
        secrets: { production: { billing: { DB_PASSWORD: 'PROD_DB_PW', PAYMENT_KEY: 'PAY_KEY' } } },
        secretsFile: '/etc/greenci/green.env',
      },
      env: { PAY_KEY: '' },
      file: { values: { PROD_DB_PW: 'file-prod-pw', PAY_KEY: '' } },
    });
    expect(resolveSecrets(spec(), 'production', src)).toEqual({
      values: {},
      problems: [
        "secret DB_PASSWORD (as MARIADB_PASSWORD) for service billing-db in the production environment is missing: greenci's config gives it no value (no projects.green.secrets.production.billing-db.DB_PASSWORD)",
        "secret LOG_TOKEN for app billing in the production environment is missing: greenci's config gives it no value (no projects.green.secrets.production.billing.LOG_TOKEN)",
        "secret PAYMENT_KEY for app billing in the production environment is missing: projects.green.secrets.production.billing.PAYMENT_KEY names PAY_KEY, which is in neither /etc/greenci/green.env nor greenci's environment",
      ],
    });
    expect(resolveSecrets(spec(), 'test', sources({ config: { secrets: grants }, env: {}, file: undefined }))).toEqual({
      values: {},
      problems: [
        "secret DB_PASSWORD (as MARIADB_PASSWORD) for service billing-db in the test environment is missing: projects.green.secrets.test.billing-db.DB_PASSWORD names TEST_DB_PW, which is not in greenci's environment",
        "secret DB_PASSWORD for app billing in the test environment is missing: projects.green.secrets.test.billing.DB_PASSWORD names TEST_DB_PW, which is not in greenci's environment",
      ],
    });
  });

  it('a secrets file that cannot be used fails only the builds that need a secret, saying why', () => {
    const bad = sources({ file: { error: 'projects.green.secretsFile: /etc/greenci/green.env has mode 0644: ...' } });
    expect(resolveSecrets(spec(), 'test', bad)).toEqual({
      values: {},
      problems: ['projects.green.secretsFile: /etc/greenci/green.env has mode 0644: ...'],
    });
    const none = parseProjectFile('apps:\n  web:\n    build: web\n    port: 80\n').spec!;
    expect(resolveSecrets(none, 'production', bad)).toEqual({ values: {}, problems: [] });
  });

  it('what is masked: every granted value and every entry of the file', () => {
    expect(grantedSecretValues(sources({ file: { values: { PROD_DB_PW: 'file-prod-pw', UNUSED: 'unused-1' } } })).sort()).toEqual(
      ['env-test-pw', 'file-prod-pw', 'log-token-1', 'pay-key-1', 'unused-1'].sort(),
    );
  });
});

describe('containers and fingerprints with host secrets', () => {
  const id = { project: 'green', env: 'production' as const, release: 'v1.0.0', buildId: 7, commit: 'abc' };
  it('the values go into the container environment after the plain ones and before greenci’s own', () => {
    const s = spec();
    const c = serviceContainerSpec(id, svc(s, 'billing'), 'img', s.environments.production, { DB_PASSWORD: 'pw', PAYMENT_KEY: 'k' });
    expect(c.Env).toEqual([
      'DB_URL=http://billing-db:7000',
      'LOG_LEVEL=warn',
      'DB_PASSWORD=pw',
      'PAYMENT_KEY=k',
      'GREENCI_PROJECT=green',
      'GREENCI_ENV=production',
      'GREENCI_COMMIT=abc',
      'GREENCI_VERSION=v1.0.0',
      'GREENCI_BUILD=7',
    ]);
  });

  it('a changed value changes the fingerprint (the database is redeployed), the same value keeps it, and no value is in it', () => {
    const s = spec();
    const db = svc(s, 'billing-db');
    const env = s.environments.production;
    const a = serviceFingerprint(db, 'img', env, { MARIADB_PASSWORD: 'first-password' });
    expect(serviceFingerprint(db, 'img', env, { MARIADB_PASSWORD: 'first-password' })).toBe(a);
    expect(serviceFingerprint(db, 'img', env, { MARIADB_PASSWORD: 'second-password' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a service without secrets keeps the fingerprint it had before secrets existed (no database restart on upgrade)', () => {
    const plain = parseProjectFile(
      'apps:\n  web:\n    build: web\n    port: 80\nservices:\n  db:\n    image: db:local\n    volume: /data\n',
    ).spec!;
    const db = plain.services.find((x) => x.name === 'db')!;
    const env = plain.environments.production;
    const before = createHash('sha256')
      .update(
        JSON.stringify({
          service: db,
          image: 'img',
          extraEnv: {},
          restart: env.restart,
          memory: env.memoryBytes,
          cpus: env.nanoCpus,
          bind: env.bind,
          port: env.ports.db,
        }),
      )
      .digest('hex')
      .slice(0, 16);
    expect(serviceFingerprint(db, 'img', env)).toBe(before);
    expect(serviceFingerprint(db, 'img', env, {})).toBe(before);
  });
});

describe('masking', () => {
  it('replaces every value (the longest first, lines of a multi-line one too), leaving values shorter than 4 alone', () => {
    const mask = maskWith(['s3cret', 's3cret-and-more', 'abc', '-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----']);
    expect(mask('pw=s3cret-and-more, also s3cret; abc stays')).toBe('pw=********, also ********; abc stays');
    expect(mask('MIIEvQIBADANBgkq')).toBe('********');
    expect(maskWith([])('nothing to hide')).toBe('nothing to hide');
  });
});

describe('the secrets file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode: number) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    chmodSync(p, mode);
    return p;
  };
  const config = (f: string) => `projects:\n  green:\n    repo: /g.git\n    secretsFile: ${f}\n`;

  it('0600, owned by greenci’s user: read as systemd and dotenv read it (comments, quotes, export)', () => {
    const f = file('ok.env', '# green\'s secrets\nexport A=1\nB="two words" # note\nC=\'has#hash\'\nD="l1\\nl2"\n', 0o600);
    expect(parseConfig(config('ok.env'), dir, {}).errors).toEqual([]);
    expect(parseConfig(config('ok.env'), dir, {}).config!.projects.green.secretsFile).toBe(f);
    expect(readSecretsFile(f, 'projects.green.secretsFile')).toEqual({ values: { A: '1', B: 'two words', C: 'has#hash', D: 'l1\nl2' } });
  });

  it('a file its group or others can read (or write) is refused with a clear error naming it and its mode', () => {
    const f = file('open.env', 'A=1\n', 0o644);
    const msg = `projects.green.secretsFile: ${f} has mode 0644: its group or other users can get at the secrets in it; it must be 0600 or stricter (chmod 600 ${f})`;
    expect(parseConfig(config(f), dir, {}).errors).toEqual([msg]);
    expect(readSecretsFile(f, 'projects.green.secretsFile')).toEqual({ error: msg });
    chmodSync(f, 0o620);
    expect(parseConfig(config(f), dir, {}).errors[0]).toMatch(/has mode 0620: /);
    chmodSync(f, 0o400);
    expect(parseConfig(config(f), dir, {}).errors).toEqual([]);
  });

  it('a missing file is a config error; one owned by another user is refused where it is read', () => {
    expect(parseConfig(config('gone.env'), dir, {}).errors).toEqual([
      `projects.green.secretsFile: ${path.join(dir, 'gone.env')} does not exist`,
    ]);
    const f = file('theirs.env', 'A=1\n', 0o600);
    chownSync(f, 4321, 4321);
    expect(readSecretsFile(f, 'projects.green.secretsFile', 0)).toEqual({
      error: `projects.green.secretsFile: ${f} is owned by uid 4321; only root or the user greenci runs as (uid 0) may own it`,
    });
    expect(readSecretsFile(f, 'projects.green.secretsFile', 4321)).toEqual({ values: { A: '1' } });
  });

  it('config keys: names are checked with their paths', () => {
    const bad = parseConfig(
      'projects:\n  green:\n    repo: /g.git\n    secrets:\n      staging: {}\n      test:\n        Billing: {DB: X}\n        web: {DB: "not a name"}\n',
      '/x',
      {},
    );
    expect(bad.errors).toEqual([
      'projects.green.secrets.test.Billing: invalid name: must be the name of an app or service in greenci.yml',
      'projects.green.secrets.test.web.DB: must be an environment variable name',
      'projects.green.secrets: Unrecognized key: staging',
    ]);
  });
});
