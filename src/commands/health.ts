import { UsageError } from '../../engine/errors.js';
import { healthText } from '../../views/format/health-text.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { HEALTH_USAGE } from './usage.js';

/** The monitor's view: every check (environments' apps and services, greenci itself) worst first, and recent changes. */
export async function healthCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { history: { type: 'string' } }, HEALTH_USAGE);
  if (values.help) return (io.out(HEALTH_USAGE), EXIT.ok);
  if (positionals.length) throw new UsageError(`greenci health takes no arguments\nusage: ${HEALTH_USAGE}`);
  const history = Number(values.history ?? 10);
  if (!Number.isInteger(history) || history < 0 || history > 1000)
    throw new UsageError(`--history: a number of changes from 0 to 1000, not ${JSON.stringify(values.history)}`);
  const client = await openClient(io, values.config);
  try {
    const { health, transitions } = await client.health(history);
    if (values.json) io.out(JSON.stringify({ mode: client.mode, health, transitions }));
    else {
      if (client.mode === 'in-process') io.err('greenci: no daemon answers: this is what the monitor last recorded');
      io.out(healthText(health, transitions.slice(0, history)));
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
