import { UsageError } from '../../engine/errors.js';
import { releasesTable } from '../../views/format/build-lines.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { holdSignals } from '../signals.js';
import { RELEASES_USAGE, ROLLBACK_USAGE } from './usage.js';

/** Lists a project's releases newest first; `*` marks the one production runs. */
export async function releasesCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, RELEASES_USAGE);
  if (values.help) return (io.out(RELEASES_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${RELEASES_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    const { releases, live } = await client.releases(positionals[0]);
    if (values.json) io.out(JSON.stringify(releases.map((r) => ({ ...r, live: r.id === live?.id }))));
    else io.out(releasesTable(releases, live?.id));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Redeploys an earlier release to production (through the daemon when one runs), verifies it, and records who asked. */
export async function rollbackCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' } }, ROLLBACK_USAGE);
  if (values.help) return (io.out(ROLLBACK_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${ROLLBACK_USAGE}`);
  const client = await openClient(io, values.config);
  const releaseSignals = holdSignals(
    () => io.err('greenci: a rollback is changing production: it finishes (or restores the live release) before greenci exits'),
    'greenci: still rolling back; production cannot be left half-deployed',
    io.err,
  );
  try {
    const actor = whoAsked(io.env);
    if (!values.json)
      io.err(
        `rolling ${positionals[0]} back${values.to ? ` to ${values.to}` : ''} (asked by ${actor}${client.mode === 'daemon' ? ', through the daemon' : ''})...`,
      );
    const { from, to } = await client.rollback({
      project: positionals[0],
      to: values.to,
      requestedBy: actor,
      log: (l) => values.json || io.err(`  ${l}`),
    });
    if (values.json)
      io.out(JSON.stringify({ project: positionals[0], from: from?.version, to: to.version, requestedBy: actor, outcome: 'success' }));
    else io.out(`✔ production runs ${to.version} (${to.sha.slice(0, 12)})${from ? `, rolled back from ${from.version}` : ''}`);
    return EXIT.ok;
  } finally {
    releaseSignals();
    await client.close();
  }
}
