import type { GreenciConfig } from '../config/schema.js';
import type { MonitorHandle, MonitorStartOptions } from '../engine/api.js';
import type { RunnerWatch } from '../engine/dead-runners.js';
import { describeError } from '../engine/errors.js';
import { createEngine, type Engine, type Note } from '../engine/index.js';
import type { BuildRecord } from '../engine/model.js';
import type { GithubService } from '../engine/github/github-service.js';
import type { GithubSenderEvents } from '../engine/github/sender.js';
import type { MailService } from '../engine/notify/mail-service.js';
import type { SenderEvents } from '../engine/notify/outbox-sender.js';
import type { Io } from './io.js';
import { requireConfig } from './require-config.js';

export { requireConfig };

/**
 * The engine in this process with what runs around it, started and stopped in one order by every
 * face: the daemon, the console without a daemon, and one-shot commands.
 */
export interface Runtime {
  engine: Engine;
  /**
   * Email and reporting to GitHub from here on (what this process does becomes outbox rows).
   * Commands that only read never start them.
   */
  startMail(on?: SenderEvents, github?: GithubSenderEvents): void;
  /** Email and GitHub again with the current config (a reload changed smtp, notify or githubApi): pending calls and unsent alerts go out. */
  restartMail(): Promise<void>;
  /** After a crash: interrupted builds ended or queued again, production checked against the live release, pending tags pushed. */
  recover(onNote: (n: Note) => void): Promise<void>;
  /**
   * What a long-running face runs: the monitor, the queue taking builds, and every few seconds a
   * look for builds whose greenci process died (they end as `recover` ends them; `onNote` says how).
   */
  startBackground(monitor?: MonitorStartOptions, onNote?: (n: Note) => void): MonitorHandle;
  /**
   * Stops in one order: the monitor and the look for dead builds; then `beforeDrain` (a face stops
   * taking work); then running builds get `graceMs` to finish (a production change in progress
   * always finishes) and the rest are queued again for the next start; a prune a release started
   * in the background ends; then email is flushed (unless
   * `flushMail: false`: the daemon leaves what is due to its next start rather than wait on an SMTP
   * server at shutdown; what fails stays in the outbox) and the engine closed. Resolves with the
   * builds queued again. Safe to call twice.
   */
  stop(o?: {
    graceMs?: number;
    beforeDrain?: () => Promise<void>;
    onCancel?: (ids: number[]) => void;
    /** After the builds stopped, before email and the engine: a face that still answers questions closes here. */
    afterDrain?: (requeued: BuildRecord[]) => Promise<void>;
    flushMail?: boolean;
  }): Promise<BuildRecord[]>;
}

/** Builds the runtime from the config file the command named (or found). */
export function openRuntime(io: Io, configPath?: string): Runtime {
  return runtimeFor(requireConfig(io, configPath), io.env);
}

/**
 * `face`: `daemon` for `greenci daemon`; anything else runs the engine standing in for a daemon
 * that is not running, which promotes only builds an operator asked for (never ones it finds queued).
 */
export function runtimeFor(config: GreenciConfig, env: NodeJS.ProcessEnv = process.env, face: 'daemon' | 'stand-in' = 'stand-in'): Runtime {
  const engine = createEngine({ config, env, standIn: face !== 'daemon' });
  let mail: MailService | undefined;
  let mailEvents: SenderEvents | undefined;
  let github: GithubService | undefined;
  let githubEvents: GithubSenderEvents | undefined;
  let mailStarted = false;
  let monitor: MonitorHandle | undefined;
  let runners: RunnerWatch | undefined;
  let background = false;
  let stopping: Promise<BuildRecord[]> | undefined;
  return {
    engine,
    startMail(on, githubOn) {
      if (mailStarted) return;
      mailStarted = true;
      mailEvents = on;
      githubEvents = githubOn;
      mail = engine.startMail({ env, on });
      github = engine.startGithub({ env, on: githubOn });
    },
    async restartMail() {
      await mail?.stop();
      await github?.stop();
      mail = engine.startMail({ env, on: mailEvents });
      github = engine.startGithub({ env, on: githubEvents });
      mailStarted = true;
    },
    async recover(onNote) {
      try {
        for (const n of await engine.recover()) onNote(n);
      } catch (err) {
        onNote({ level: 'error', msg: `recovery failed (is the Docker engine up?); carrying on: ${describeError(err)}` });
      }
    },
    startBackground(o, onNote) {
      background = true;
      monitor = engine.startMonitor(o);
      engine.startQueue();
      runners = engine.watchDeadRunners({ onNote });
      return monitor;
    },
    stop: (o = {}) =>
      (stopping ??= (async () => {
        await monitor?.stop();
        await runners?.stop();
        await o.beforeDrain?.();
        const requeued = background ? await engine.drain(o.graceMs ?? 0, o.onCancel) : [];
        // a release's prune runs in the background: it ends (its removals audited) before the engine closes
        await engine.pruneSettled();
        await o.afterDrain?.(requeued);
        if (o.flushMail !== false) await Promise.all([mail?.flush(), github?.flush()]);
        await mail?.stop();
        await github?.stop();
        engine.close();
        return requeued;
      })()),
  };
}
