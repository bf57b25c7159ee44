import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../engine/errors.js';
import {
  BUILDS_USAGE,
  CANARY_USAGE,
  CANCEL_USAGE,
  CONSOLE_USAGE,
  DAEMON_USAGE,
  DEMO_USAGE,
  HEALTH_USAGE,
  LOGS_USAGE,
  MAIL_USAGE,
  PRUNE_USAGE,
  RELEASE_USAGE,
  RELEASES_USAGE,
  BACKUPS_USAGE,
  BACKUP_USAGE,
  RESTORE_USAGE,
  RETRY_USAGE,
  ROLLBACK_USAGE,
  RUN_USAGE,
  STATUS_USAGE,
  TRIGGER_USAGE,
} from './commands/usage.js';
import { EXIT, exitFor } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { packageRoot } from './package-root.js';

const COMMANDS: Record<string, { run: (args: string[], io: Io) => Promise<number>; usage: string; about: string }> = {
  console: {
    run: (a, io) => import('./commands/console.js').then((m) => m.consoleCommand(a, io)),
    usage: CONSOLE_USAGE,
    about: 'the operator console (the default in a terminal): attaches to the daemon, else runs the engine here',
  },
  daemon: {
    run: (a, io) => import('./commands/daemon.js').then((m) => m.daemonCommand(a, io)),
    usage: DAEMON_USAGE,
    about: 'run headless: webhooks, smee, the build queue, the control socket (systemd)',
  },
  status: {
    run: (a, io) => import('./commands/status.js').then((m) => m.statusCommand(a, io)),
    usage: STATUS_USAGE,
    about: 'what runs where: environments, the queue, the daemon',
  },
  trigger: {
    run: (a, io) => import('./commands/queue.js').then((m) => m.triggerCommand(a, io)),
    usage: TRIGGER_USAGE,
    about: 'queue a build (runs here when no daemon runs)',
  },
  cancel: {
    run: (a, io) => import('./commands/queue.js').then((m) => m.cancelCommand(a, io)),
    usage: CANCEL_USAGE,
    about: 'cancel a queued or running build',
  },
  retry: {
    run: (a, io) => import('./commands/queue.js').then((m) => m.retryCommand(a, io)),
    usage: RETRY_USAGE,
    about: "queue an earlier build's commit again",
  },
  run: {
    run: (a, io) => import('./commands/run.js').then((m) => m.runCommand(a, io)),
    usage: RUN_USAGE,
    about: 'run one pipeline now, in this process',
  },
  builds: {
    run: (a, io) => import('./commands/builds.js').then((m) => m.buildsCommand(a, io)),
    usage: BUILDS_USAGE,
    about: 'list recent builds',
  },
  logs: {
    run: (a, io) => import('./commands/builds.js').then((m) => m.logsCommand(a, io)),
    usage: LOGS_USAGE,
    about: "print a build's log; -f follows it",
  },
  releases: {
    run: (a, io) => import('./commands/releases.js').then((m) => m.releasesCommand(a, io)),
    usage: RELEASES_USAGE,
    about: 'list releases; * marks the live one',
  },
  backups: {
    run: (a, io) => import('./commands/backups.js').then((m) => m.backupsCommand(a, io)),
    usage: BACKUPS_USAGE,
    about: "list production's data backups, newest first",
  },
  backup: {
    run: (a, io) => import('./commands/backups.js').then((m) => m.backupCommand(a, io)),
    usage: BACKUP_USAGE,
    about: "back up production's services with data now",
  },
  restore: {
    run: (a, io) => import('./commands/backups.js').then((m) => m.restoreCommand(a, io)),
    usage: RESTORE_USAGE,
    about: "put a production service's data back from a backup (a fresh volume generation; the old one kept)",
  },
  rollback: {
    run: (a, io) => import('./commands/releases.js').then((m) => m.rollbackCommand(a, io)),
    usage: ROLLBACK_USAGE,
    about: 'redeploy an earlier release to production; holds production until greenci release',
  },
  release: {
    run: (a, io) => import('./commands/releases.js').then((m) => m.releaseCommand(a, io)),
    usage: RELEASE_USAGE,
    about: 'release a tested build (default: the newest that passed) and lift the hold; --lift: lift it only',
  },
  canary: {
    run: (a, io) => import('./commands/canary.js').then((m) => m.canaryCommand(a, io)),
    usage: CANARY_USAGE,
    about: "promote production's running canary to every request now, or abort it (the live release takes them all back)",
  },
  prune: {
    run: (a, io) => import('./commands/prune.js').then((m) => m.pruneCommand(a, io)),
    usage: PRUNE_USAGE,
    about:
      'remove what greenci made that nothing kept needs (images, stopped containers, build cache, worktrees, old logs); every rollback target stays',
  },
  health: {
    run: (a, io) => import('./commands/health.js').then((m) => m.healthCommand(a, io)),
    usage: HEALTH_USAGE,
    about: "the monitor's checks, worst first, and their recent changes",
  },
  mail: {
    run: (a, io) => import('./commands/mail.js').then((m) => m.mailCommand(a, io)),
    usage: MAIL_USAGE,
    about: 'send a test email and show what the SMTP server answered',
  },
  demo: {
    run: (a, io) => import('./commands/demo.js').then((m) => m.demoCommand(a, io)),
    usage: DEMO_USAGE,
    about: 'deploy the built-in sample project (--tour: then a release, a rollback and a canary under load)',
  },
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
    'status, health, builds, logs, trigger, cancel, retry, releases, backups, backup, restore, rollback, release, canary and prune go through the daemon when its control socket answers, else run in-process',
    'exit codes: 0 success, 1 pipeline or operation failed, 2 bad config or usage',
  ].join('\n');
}

/** argv → command → exit code. Commands load on demand: the console starts without the daemon's modules. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // `greenci` alone, or with only options, in a terminal opens the console
  if (
    (argv.length === 0 || argv[0].startsWith('--config') || argv[0] === '-c') &&
    process.stdout.isTTY &&
    process.stdin.isTTY &&
    io === processIo
  )
    argv = ['console', ...argv];
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return (io.out(help()), EXIT.ok);
  if (name === '--version' || name === '-v') {
    return (io.out(JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version), EXIT.ok);
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
