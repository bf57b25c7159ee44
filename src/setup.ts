import type { GreenciConfig } from '../config/schema.js';
import { createEngine, type Engine } from '../engine/index.js';
import type { MailService } from '../engine/notify/mail-service.js';
import type { Io } from './io.js';
import { requireConfig } from './require-config.js';

export { requireConfig };

/** The engine in this process (no daemon answers), with email when the config has smtp. */
export interface LocalEngine {
  engine: Engine;
  /** Email from here on (what this run does becomes outbox rows, sent unless the daemon sends them). Commands that only read never start it. */
  startMail(): void;
  /** Tries to send what this run queued (what fails stays in the outbox for the daemon or the next run), then closes the engine. */
  close(): Promise<void>;
}

/** Builds the engine with its real adapters from the config. */
export function openEngine(io: Io, configPath?: string): LocalEngine {
  return openEngineWith(requireConfig(io, configPath), io.env);
}

export function openEngineWith(config: GreenciConfig, env: NodeJS.ProcessEnv = process.env): LocalEngine {
  const engine = createEngine({ config, env });
  let mail: MailService | undefined;
  let started = false;
  let closing: Promise<void> | undefined;
  return {
    engine,
    startMail() {
      if (started) return;
      started = true;
      mail = engine.startMail({ env });
    },
    close: () =>
      (closing ??= (async () => {
        await mail?.flush();
        await mail?.stop();
        engine.close();
      })()),
  };
}
