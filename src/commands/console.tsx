import { render } from 'ink';
import { UsageError } from '../../engine/errors.js';
import { App } from '../../views/App.js';
import type { ConsoleSource } from '../../views/source.js';
import { parse } from '../args.js';
import type { EngineClient } from '../../engine/client.js';
import { daemonClient } from '../client/daemon-client.js';
import { ControlClient } from '../control-client.js';
import { EXIT } from '../exit-codes.js';
import { holdSignals } from '../signals.js';
import { whoAsked, type Io } from '../io.js';
import { requireConfig } from '../require-config.js';
import type { Runtime } from '../runtime.js';
import { CONSOLE_USAGE } from './usage.js';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

/**
 * The operator console. Attaches to the daemon when its control socket answers; otherwise runs the
 * engine here (its queue included: builds triggered from the console run in this process) and says
 * so in the header. Draws on the terminal's alternate screen, so quitting gives the shell back as it was.
 */
export async function consoleCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {}, CONSOLE_USAGE);
  if (values.help) return (io.out(CONSOLE_USAGE), EXIT.ok);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      'the console needs a terminal (stdin and stdout a TTY); for scripts use `greenci status --json`, `greenci builds`, `greenci logs -f`',
    );
  }
  const config = requireConfig(io, values.config);
  const user = whoAsked(io.env);
  const client = await ControlClient.connect(config.control.socket!).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EACCES')
      throw new UsageError(`no permission on ${config.control.socket}: add yourself to the greenci group (or run as the greenci user)`);
    throw err;
  });
  let local: Runtime | undefined;
  let engineClient: EngineClient;
  if (client) engineClient = daemonClient(client);
  else {
    // the engine's modules load only when no daemon answers
    const [{ runtimeFor }, { localClient }] = await Promise.all([import('../runtime.js'), import('../client/local-client.js')]);
    local = runtimeFor(config, io.env);
    local.startMail();
    // as the daemon does at start: builds a killed console left running are failed and queued again
    await local.recover(() => undefined);
    local.startBackground();
    engineClient = localClient(local);
  }
  const source: ConsoleSource = { ...engineClient, user };

  // Node prints warnings on stderr, over the screen: keep them for after the console closes
  const warnings: string[] = [];
  const warningListeners = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);

  const started = performance.now();
  process.stdout.write(ALT_SCREEN_ON);
  const restore = () => process.stdout.write(ALT_SCREEN_OFF);
  process.once('exit', restore);
  let firstFrameMs: number | undefined;
  // SIGHUP (the SSH session dropped), SIGTERM and Ctrl-C from outside: close the console the way q does,
  // so running work is drained below rather than killed mid-step
  let app!: ReturnType<typeof render>;
  const release = holdSignals(() => app.unmount(), 'greenci: stopping, waiting for running work', io.err);
  app = render(<App source={source} env={io.env} />, {
    exitOnCtrlC: false,
    incrementalRendering: process.env.GREENCI_INK_INCREMENTAL === '1',
    patchConsole: true,
    onRender: () => void (firstFrameMs ??= performance.now() - started),
  });
  try {
    await app.waitUntilExit();
  } finally {
    app.unmount();
    restore();
    process.off('exit', restore);
    process.off('warning', onWarning);
    for (const l of warningListeners) process.on('warning', l as (w: Error) => void);
    for (const w of warnings.slice(-20)) io.err(`greenci: warning during the console: ${w}`);
    if (io.env.GREENCI_CONSOLE_TIMING === '1' && firstFrameMs !== undefined)
      io.err(`greenci console: first frame ${firstFrameMs.toFixed(0)} ms after start`);
    if (local) {
      await source.settle();
      // a production change in progress always finishes (the engine holds it to the end); builds stop and are queued again
      const requeued = await local.stop({ graceMs: 0 });
      if (requeued.length)
        io.err(
          `greenci: stopped build${requeued.length > 1 ? 's' : ''} ${requeued.map((b) => `#${b.id}`).join(', ')}; queued again for the next start`,
        );
    }
    release();
  }
  return EXIT.ok;
}
