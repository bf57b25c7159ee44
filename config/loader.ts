import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { parseDocument } from 'yaml';
import { configSchema, type GreenciConfig } from './schema.js';
import { secretsFileProblem } from './secrets-file.js';
import { formatIssues } from './zod-issues.js';

export interface LoadedConfig {
  config?: GreenciConfig;
  /** The file the config came from. */
  file?: string;
  warnings: string[];
  errors: string[];
}

/** Where greenci looks for its config when neither --config nor GREENCI_CONFIG names one. */
export function defaultConfigPaths(cwd: string, home = os.homedir()): string[] {
  return [path.join(cwd, 'greenci.config.yml'), path.join(home, '.config', 'greenci', 'config.yml'), '/etc/greenci/config.yml'];
}

/**
 * Finds, reads and validates greenci's config: `--config PATH`, else `$GREENCI_CONFIG`, else the
 * first of defaultConfigPaths() that exists. Relative paths in the file are resolved against the
 * file's directory. Never throws: problems come back as `path: message` lines.
 */
export function loadConfig(opts: { path?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const named = opts.path ?? env.GREENCI_CONFIG;
  const file = named ? path.resolve(cwd, named) : defaultConfigPaths(cwd).find((p) => existsSync(p));
  if (!file)
    return {
      warnings: [],
      errors: [`no config file: pass --config PATH, set GREENCI_CONFIG, or create one of ${defaultConfigPaths(cwd).join(', ')}`],
    };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, warnings: [], errors: [`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`] };
  }
  return { file, ...parseConfig(text, path.dirname(file), env) };
}

/** Validates config text; `baseDir` anchors relative paths. */
export function parseConfig(text: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): Omit<LoadedConfig, 'file'> {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) return { warnings: [], errors: doc.errors.map((e) => `yaml: ${e.message.split('\n')[0]}`) };
  const parsed = configSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!parsed.success) return { warnings: [], errors: formatIssues(parsed.error.issues) };
  const config = parsed.data;
  const warnings: string[] = [];
  const errors: string[] = [];
  config.dataDir = path.resolve(baseDir, config.dataDir);
  config.control.socket = path.resolve(baseDir, config.control.socket ?? path.join(config.dataDir, 'greenci.sock'));
  if (Buffer.byteLength(config.control.socket) > 107)
    errors.push(`control.socket: ${config.control.socket} is longer than a unix socket path may be (107 bytes)`);
  if (!cron.validate(config.reconcile.schedule))
    errors.push(`reconcile.schedule: ${JSON.stringify(config.reconcile.schedule)} is not a cron expression`);
  if (!cron.validate(config.monitor.schedule))
    errors.push(
      `monitor.schedule: ${JSON.stringify(config.monitor.schedule)} is not a cron expression (six fields for seconds: "*/10 * * * * *")`,
    );
  const byRepo = new Map<string, string>();
  for (const [name, p] of Object.entries(config.projects)) {
    if (isLocalPath(p.repo)) p.repo = path.resolve(baseDir, p.repo);
    if (p.secretsFile) {
      p.secretsFile = path.resolve(baseDir, p.secretsFile);
      const problem = secretsFileProblem(p.secretsFile, `projects.${name}.secretsFile`);
      if (problem) errors.push(problem);
    }
    if (p.gitTokenEnv && !env[p.gitTokenEnv])
      warnings.push(`projects.${name}.gitTokenEnv: environment variable ${p.gitTokenEnv} is not set`);
    if (p.github) {
      const other = byRepo.get(p.github.toLowerCase());
      if (other) errors.push(`projects.${name}.github: ${p.github} is already project ${other}'s repository`);
      byRepo.set(p.github.toLowerCase(), name);
      if (!p.webhookSecretEnv)
        warnings.push(`projects.${name}.webhookSecretEnv: not set, so every webhook for ${p.github} is refused (401)`);
      else if (!env[p.webhookSecretEnv])
        warnings.push(
          `projects.${name}.webhookSecretEnv: environment variable ${p.webhookSecretEnv} is not set, so every webhook for ${p.github} is refused (401)`,
        );
    }
    if (p.githubApi && !p.github) errors.push(`projects.${name}.githubApi: needs github (owner/name): the repository to report to`);
    else if (p.githubApi && !env[p.githubApi.tokenEnv])
      warnings.push(
        `projects.${name}.githubApi.tokenEnv: environment variable ${p.githubApi.tokenEnv} is not set, so nothing is reported to GitHub`,
      );
    if (!p.github && (p.webhookSecretEnv || p.smee)) {
      warnings.push(`projects.${name}: webhookSecretEnv and smee need github (owner/name) to match deliveries to the project`);
    }
  }
  if (errors.length) return { warnings, errors };
  return { config, warnings, errors: [] };
}

/** True for plain filesystem paths, false for URLs and scp-like `user@host:path` remotes. */
export function isLocalPath(repo: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/:]+:/.test(repo);
}
