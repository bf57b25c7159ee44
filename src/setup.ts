import type { GreenciConfig } from '../config/schema.js';
import { createEngine, type Engine } from '../engine/index.js';
import type { Io } from './io.js';
import { requireConfig } from './require-config.js';

export { requireConfig };

/** Builds the engine with its real adapters from the config. */
export function openEngine(io: Io, configPath?: string): Engine {
  return openEngineWith(requireConfig(io, configPath));
}

export function openEngineWith(config: GreenciConfig): Engine {
  return createEngine({ config });
}
