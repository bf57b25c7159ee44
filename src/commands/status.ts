import type { EngineClient } from '../../engine/client.js';
import { describeError } from '../../engine/errors.js';
import type { TrafficView } from '../../engine/model.js';
import type { DiskReport } from '../../engine/prune/disk.js';
import { statusText } from '../../views/format/status-lines.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { diskText } from './prune-text.js';
import { STATUS_USAGE } from './usage.js';

/**
 * What runs where: production (and where its requests go) and test per project, running and queued
 * builds, smee, the daemon; and the disk greenci takes and the free space left.
 */
export async function statusCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {}, STATUS_USAGE);
  if (values.help) return (io.out(STATUS_USAGE), EXIT.ok);
  const client = await openClient(io, values.config);
  try {
    const { snapshot, daemon } = await client.status();
    const [traffic, disk] = await Promise.all([trafficOf(client, Object.keys(snapshot.environments), io), diskOf(client, io)]);
    if (values.json) io.out(JSON.stringify({ mode: client.mode, daemon, ...snapshot, traffic, disk }));
    else
      io.out(
        disk
          ? `${statusText(snapshot, daemon, Date.now(), traffic)}\n${diskText(disk)}`
          : statusText(snapshot, daemon, Date.now(), traffic),
      );
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Each project's traffic through the front proxy; one that cannot be read (Docker not answering) is said on stderr and left out. */
async function trafficOf(client: EngineClient, projects: string[], io: Io): Promise<Record<string, TrafficView>> {
  const read = await Promise.all(
    projects.map((p) =>
      client.traffic(p).then(
        (t) => [p, t] as const,
        (err) => (io.err(`greenci: where production ${p}'s requests go is not known: ${describeError(err)}`), undefined),
      ),
    ),
  );
  return Object.fromEntries(read.filter((x) => x !== undefined));
}

/** The disk greenci takes and the space left; when it cannot be read (Docker not answering) that is said on stderr and left out. */
async function diskOf(client: EngineClient, io: Io): Promise<DiskReport | undefined> {
  return client.disk?.().catch((err) => (io.err(`greenci: the disk greenci uses is not known: ${describeError(err)}`), undefined));
}
