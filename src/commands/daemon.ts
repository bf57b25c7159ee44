import { ConfigError } from '../../engine/errors.js';
import { parse } from '../args.js';
import { Daemon } from '../daemon/daemon.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { DAEMON_USAGE } from './usage.js';

/**
 * Runs greenci headless (under systemd): NDJSON logs on stdout, no TTY needed. SIGTERM or
 * Ctrl-C stops it gracefully (exit 0); a second one while draining is reported, not obeyed;
 * SIGHUP reloads the config.
 */
export async function daemonCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {}, DAEMON_USAGE);
  if (values.help) return (io.out(DAEMON_USAGE), EXIT.ok);
  const daemon = new Daemon({ configPath: values.config, env: io.env, cwd: io.cwd });
  try {
    await daemon.start();
  } catch (err) {
    const errors = (err as { configErrors?: string[] }).configErrors;
    if (errors) throw new ConfigError('invalid config:', errors);
    daemon.log.fatal({ err: (err as Error).message }, `cannot start: ${(err as Error).message}`);
    throw err;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onStop = (signal: string) => {
      if (stopping)
        return void daemon.log.warn({ signal }, 'already stopping: waiting for running stages (production changes are never cut)');
      stopping = true;
      daemon.log.info({ signal }, `${signal} received`);
      daemon.stop().then(
        () => (cleanup(), resolve(EXIT.ok)),
        (err: Error) => (daemon.log.error({ err: err.message }, 'stopping failed'), cleanup(), resolve(EXIT.failed)),
      );
    };
    const onHup = () => void daemon.reload().catch((err: Error) => daemon.log.error({ err: err.message }, 'config reload failed'));
    const onTerm = () => onStop('SIGTERM');
    const onInt = () => onStop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', onHup);
    const cleanup = () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHup);
    };
  });
}
