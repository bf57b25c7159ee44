import { UsageError } from '../../engine/errors.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { pruneText } from './prune-text.js';
import { PRUNE_USAGE } from './usage.js';

/**
 * `greenci prune [project] [--dry-run] [--json]`: the retention rule on one project (or every one),
 * through the daemon when it answers, else here. Prints each thing removed (or, with --dry-run,
 * that would be) with its size and reason, and what was kept, summed up. Audited under who asked.
 */
export async function pruneCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { 'dry-run': { type: 'boolean' } }, PRUNE_USAGE);
  if (values.help) return (io.out(PRUNE_USAGE), EXIT.ok);
  if (positionals.length > 1) throw new UsageError(`name one project, or none for every one\nusage: ${PRUNE_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    if (!client.prune) throw new UsageError('this client cannot prune');
    const actor = whoAsked(io.env);
    const dryRun = values['dry-run'] === true;
    if (!values.json && !dryRun)
      io.err(
        `pruning ${positionals[0] ?? 'every project'} (asked by ${actor}${client.mode === 'daemon' ? ', through the daemon' : ''})...`,
      );
    const reports = await client.prune({
      project: positionals[0],
      dryRun,
      requestedBy: actor,
      log: (l) => values.json || io.err(`  ${l}`),
    });
    if (values.json) io.out(JSON.stringify(reports));
    else io.out(reports.map(pruneText).join('\n\n'));
    // a thing Docker refused (something started on it since) is said, not a failure: the next prune tries again
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
