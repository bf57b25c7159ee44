import { statusText } from '../../views/format/status-lines.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { STATUS_USAGE } from './usage.js';

/** What runs where: production and test per project, running and queued builds, smee, the daemon. */
export async function statusCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {}, STATUS_USAGE);
  if (values.help) return (io.out(STATUS_USAGE), EXIT.ok);
  const client = await openClient(io, values.config);
  try {
    const { snapshot, daemon } = await client.status();
    io.out(values.json ? JSON.stringify({ mode: client.mode, daemon, ...snapshot }) : statusText(snapshot, daemon));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
