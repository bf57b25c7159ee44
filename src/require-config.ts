import { loadConfig } from '../config/loader.js';
import type { GreenciConfig } from '../config/schema.js';
import { ConfigError } from '../engine/errors.js';
import type { Io } from './io.js';

/** Loads the config (warnings to stderr) or throws ConfigError listing every problem with its path. */
export function requireConfig(io: Io, configPath?: string): GreenciConfig {
  const loaded = loadConfig({ path: configPath, env: io.env, cwd: io.cwd });
  for (const w of loaded.warnings) io.err(`greenci: warning: ${w}`);
  if (loaded.errors.length || !loaded.config) {
    throw new ConfigError(`invalid config${loaded.file ? ` in ${loaded.file}` : ''}:`, loaded.errors);
  }
  return loaded.config;
}
