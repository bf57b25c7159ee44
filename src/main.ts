import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../engine/errors.js';
import { buildsCommand, BUILDS_USAGE, logsCommand, LOGS_USAGE } from './commands/builds.js';
import { consoleCommand, CONSOLE_USAGE } from './commands/console.js';
import { daemonCommand, DAEMON_USAGE } from './commands/daemon.js';
import { demoCommand, DEMO_USAGE } from './commands/demo.js';
import { cancelCommand, CANCEL_USAGE, retryCommand, RETRY_USAGE, triggerCommand, TRIGGER_USAGE } from './commands/queue.js';
import { statusCommand, STATUS_USAGE } from './commands/status.js';
import { releasesCommand, RELEASES_USAGE, rollbackCommand, ROLLBACK_USAGE } from './commands/releases.js';
import { runCommand, RUN_USAGE } from './commands/run.js';
import { EXIT, exitFor } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { packageRoot } from './package-root.js';

const COMMANDS: Record<string, { run: (args: string[], io: Io) => Promise<number>; usage: string; about: string }> = {
  console: { run: consoleCommand, usage: CONSOLE_USAGE, about: 'the operator console (the default in a terminal): attaches to the daemon, else runs the engine here' },
  daemon: { run: daemonCommand, usage: DAEMON_USAGE, about: 'run headless: webhooks, smee, the build queue, the control socket (systemd)' },
  status: { run: statusCommand, usage: STATUS_USAGE, about: 'what runs where: environments, the queue, the daemon' },
  trigger: { run: triggerCommand, usage: TRIGGER_USAGE, about: 'queue a build (runs here when no daemon runs)' },
  cancel: { run: cancelCommand, usage: CANCEL_USAGE, about: 'cancel a queued or running build' },
  retry: { run: retryCommand, usage: RETRY_USAGE, about: "queue an earlier build's commit again" },
  run: { run: runCommand, usage: RUN_USAGE, about: 'run one pipeline now, in this process' },
  builds: { run: buildsCommand, usage: BUILDS_USAGE, about: 'list recent builds' },
  logs: { run: logsCommand, usage: LOGS_USAGE, about: "print a build's log; -f follows it" },
  releases: { run: releasesCommand, usage: RELEASES_USAGE, about: 'list releases; * marks the live one' },
  rollback: { run: rollbackCommand, usage: ROLLBACK_USAGE, about: 'redeploy an earlier release to production' },
  demo: { run: demoCommand, usage: DEMO_USAGE, about: 'deploy the built-in sample project' },
};

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'greenci: CI/CD for one Docker host',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.about}`),
    '',
    'config: --config PATH, else $GREENCI_CONFIG, else ./greenci.config.yml, ~/.config/greenci/config.yml, /etc/greenci/config.yml',
    'status, builds, logs, trigger, cancel, retry, releases and rollback go through the daemon when its control socket answers, else run in-process',
    'exit codes: 0 success, 1 pipeline or operation failed, 2 bad config or usage',
  ].join('\n');
}

/** argv → command → exit code. The only place greenci exits the process. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // `greenci` alone, or with only options, in a terminal opens the console
  if ((argv.length === 0 || argv[0].startsWith('--config') || argv[0] === '-c') && process.stdout.isTTY && process.stdin.isTTY && io === processIo) argv = ['console', ...argv];
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return io.out(help()), EXIT.ok;
  if (name === '--version' || name === '-v') {
    return io.out(JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version), EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return await command.run(rest, io);
  } catch (err) {
    const { code, message } = exitFor(err);
    io.err(message);
    return code;
  }
}
