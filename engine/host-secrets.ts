import {
  grantedSecretValues,
  resolveSecrets,
  type SecretResolution,
  type SecretSources,
  type SecretValues,
} from '../config/host-secrets.js';
import type { EnvironmentSpec, EnvName, ProjectSpec } from '../config/project-spec.js';
import type { GreenciConfig } from '../config/schema.js';
import { readSecretsFile } from '../config/secrets-file.js';
import { StageError } from './errors.js';
import { maskWith } from './mask.js';

/** What deploys and output ask of the host's secrets. */
export interface SecretResolver {
  /** The values of the secrets `spec` uses in `env` as the config and the host give them now, or what is missing. */
  /** `environment`: other settings for the environment than the spec's own (a preview's, with the test environment's grants). */
  resolve(project: string, env: EnvName, spec: ProjectSpec, environment?: EnvironmentSpec): SecretResolution;
  /** The values, or StageError naming every missing secret (and where greenci looked). */
  require(project: string, env: EnvName, spec: ProjectSpec, environment?: EnvironmentSpec): SecretValues;
  /** The text with every secret value known to this process replaced by ********. */
  mask(text: string): string;
}

/**
 * The host's secrets as greenci's config gives them: each project's secrets file is read when the
 * engine starts and again on a config reload (SIGHUP), so the next deploy takes a changed value;
 * greenci's own environment is the process's. Values live in memory only. Every value it has seen
 * stays known to `mask` until the process ends: a container started with an old one may still print it.
 */
export class HostSecrets implements SecretResolver {
  private files = new Map<string, SecretSources['file']>();
  private readonly known = new Set<string>();
  private masker: (text: string) => string = (text) => text;

  constructor(
    private readonly config: () => GreenciConfig,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.reload();
  }

  /** Reads every project's secrets file again (a file that cannot be used is reported by the builds that need it). */
  reload(): void {
    const files = new Map<string, SecretSources['file']>();
    for (const [name, p] of Object.entries(this.config().projects))
      if (p.secretsFile) files.set(name, readSecretsFile(p.secretsFile, `projects.${name}.secretsFile`));
    this.files = files;
    for (const name of Object.keys(this.config().projects)) this.remember(grantedSecretValues(this.sources(name)));
  }

  resolve(project: string, env: EnvName, spec: ProjectSpec, environment?: EnvironmentSpec): SecretResolution {
    const r = resolveSecrets(spec, env, this.sources(project), environment);
    this.remember(Object.values(r.values).flatMap(Object.values));
    return r;
  }

  require(project: string, env: EnvName, spec: ProjectSpec, environment?: EnvironmentSpec): SecretValues {
    const r = this.resolve(project, env, spec, environment);
    if (r.problems.length) throw new StageError(r.problems.join('; '));
    return r.values;
  }

  /** Every secret value known to this process (for masking: emails, logs). */
  values(): string[] {
    return [...this.known];
  }

  readonly mask = (text: string): string => this.masker(text);

  private sources(project: string): SecretSources {
    const p = this.config().projects[project];
    return { project, config: { secrets: p?.secrets, secretsFile: p?.secretsFile }, env: this.env, file: this.files.get(project) };
  }

  private remember(values: string[]): void {
    const before = this.known.size;
    for (const v of values) this.known.add(v);
    if (this.known.size !== before) this.masker = maskWith(this.known);
  }
}
