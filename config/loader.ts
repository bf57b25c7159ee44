import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { configSchema, type GreenciConfig } from './schema.js';
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
  if (!file) return { warnings: [], errors: [`no config file: pass --config PATH, set GREENCI_CONFIG, or create one of ${defaultConfigPaths(cwd).join(', ')}`] };
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
  config.dataDir = path.resolve(baseDir, config.dataDir);
  for (const [name, p] of Object.entries(config.projects)) {
    if (isLocalPath(p.repo)) p.repo = path.resolve(baseDir, p.repo);
    if (p.gitTokenEnv && !env[p.gitTokenEnv]) warnings.push(`projects.${name}.gitTokenEnv: environment variable ${p.gitTokenEnv} is not set`);
  }
  return { config, warnings, errors: [] };
}

/** True for plain filesystem paths, false for URLs and scp-like `user@host:path` remotes. */
export function isLocalPath(repo: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/:]+:/.test(repo);
}
