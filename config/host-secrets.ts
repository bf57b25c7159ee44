import type { EnvironmentSpec, EnvName, ProjectSpec, ServiceSpec } from './project-spec.js';
import type { ProjectConfig } from './schema.js';

/**
 * Secrets on the host: greenci.yml names a secret (`env: {DB_PASSWORD: {secret: DB_PASSWORD}}`),
 * greenci's own config says where each environment's app or service gets it from
 * (`projects.<p>.secrets.<env>.<app-or-service>.DB_PASSWORD: GREEN_DB_PASSWORD`), and the value is
 * looked up in the project's secrets file first, then in greenci's own environment. Only what the
 * config grants can reach a container: a pushed greenci.yml cannot name any other variable of
 * greenci's (its webhook secret, a token) nor take production's values into the test environment.
 * Pure: the caller reads the file and passes its entries.
 */

/** Per app or service: container variable → value. Held in memory only: never stored, never printed. */
export type SecretValues = Record<string, Record<string, string>>;

/** Where a project's secret values come from. */
export interface SecretSources {
  project: string;
  config: Pick<ProjectConfig, 'secrets' | 'secretsFile'>;
  /** greenci's own environment (the daemon's: systemd `EnvironmentFile=`, say). */
  env: Record<string, string | undefined>;
  /** The secrets file's entries, or why it cannot be used. Absent when the config names no file. */
  file?: { values: Record<string, string> } | { error: string };
}

export interface SecretResolution {
  values: SecretValues;
  /** One line per missing secret (names and places only, never a value); empty when every one was found. */
  problems: string[];
}

const omit = (vars: Record<string, string>, keys: Record<string, string> | undefined): Record<string, string> =>
  keys ? Object.fromEntries(Object.entries(vars).filter(([k]) => !(k in keys))) : vars;

/**
 * An app's or service's secret references in an environment (container variable → secret name):
 * its own, then the environment's for it, a later layer replacing an earlier one's variable
 * whether that was plain or a secret.
 */
export function secretRefsOf(service: ServiceSpec, env: EnvironmentSpec): Record<string, string> {
  return { ...omit(service.secrets ?? {}, env.env[service.name]), ...env.secrets?.[service.name] };
}

/** An app's or service's plain variables in an environment (the same layering as secretRefsOf). */
export function plainEnvOf(service: ServiceSpec, env: EnvironmentSpec): Record<string, string> {
  return { ...omit(service.env, env.secrets?.[service.name]), ...env.env[service.name] };
}

/** A secret's value: the secrets file's first, then greenci's environment; an empty value counts as unset. */
function lookup(name: string, src: SecretSources): string | undefined {
  const fromFile = src.file && 'values' in src.file ? src.file.values[name] : undefined;
  return fromFile || src.env[name] || undefined;
}

/**
 * The values of the secrets greenci.yml's apps and services use in `envName`, or what is missing:
 * which secret, for which app or service, and where greenci looked.
 */
export function resolveSecrets(
  spec: ProjectSpec,
  envName: EnvName,
  src: SecretSources,
  envSpec: EnvironmentSpec = spec.environments[envName],
): SecretResolution {
  const needs = spec.services.map((s) => [s, secretRefsOf(s, envSpec)] as const).filter(([, refs]) => Object.keys(refs).length > 0);
  if (!needs.length) return { values: {}, problems: [] };
  if (src.file && 'error' in src.file) return { values: {}, problems: [src.file.error] };
  const grants = src.config.secrets?.[envName] ?? {};
  const values: SecretValues = {};
  const problems: string[] = [];
  for (const [service, refs] of needs) {
    const bySecret = new Map<string, string[]>();
    for (const [variable, secret] of Object.entries(refs)) bySecret.set(secret, [...(bySecret.get(secret) ?? []), variable]);
    for (const [secret, vars] of bySecret) {
      const as = vars.length === 1 && vars[0] === secret ? '' : ` (as ${vars.join(', ')})`;
      const what = `secret ${secret}${as} for ${service.kind} ${service.name} in the ${envName} environment is missing`;
      const key = `projects.${src.project}.secrets.${envName}.${service.name}.${secret}`;
      const source = grants[service.name]?.[secret];
      if (!source) {
        problems.push(`${what}: greenci's config gives it no value (no ${key})`);
        continue;
      }
      const value = lookup(source, src);
      if (value === undefined) {
        const where = src.config.secretsFile
          ? `in neither ${src.config.secretsFile} nor greenci's environment`
          : "not in greenci's environment";
        problems.push(`${what}: ${key} names ${source}, which is ${where}`);
        continue;
      }
      for (const v of vars) values[service.name] = { ...values[service.name], [v]: value };
    }
  }
  return problems.length ? { values: {}, problems } : { values, problems };
}

/**
 * Every value the project's secrets could take now (each granted name looked up, and every entry of
 * the secrets file): what logs and emails mask.
 */
export function grantedSecretValues(src: SecretSources): string[] {
  const names = Object.values(src.config.secrets ?? {}).flatMap((byService) => Object.values(byService ?? {}).flatMap(Object.values));
  const fromFile = src.file && 'values' in src.file ? Object.values(src.file.values) : [];
  return [...new Set([...names.map((n) => lookup(n, src)), ...fromFile].filter((v): v is string => !!v))];
}
