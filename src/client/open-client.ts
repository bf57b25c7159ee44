import type { EngineClient } from '../../engine/client.js';
import { ControlClient } from '../control-client.js';
import type { Io } from '../io.js';
import { requireConfig } from '../require-config.js';
import { daemonClient } from './daemon-client.js';

/** The daemon when its control socket answers; else the engine in this process. */
export async function openClient(io: Io, configPath?: string): Promise<EngineClient> {
  const config = requireConfig(io, configPath);
  const control = await ControlClient.connect(config.control.socket!);
  if (control) return daemonClient(control);
  // the engine's modules load only without a daemon
  const [{ runtimeFor }, { localClient }] = await Promise.all([import('../runtime.js'), import('./local-client.js')]);
  return localClient(runtimeFor(config, io.env));
}
