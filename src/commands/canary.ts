import { NotFoundError, UsageError } from '../../engine/errors.js';
import { printable } from '../../views/format/printable.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { CANARY_USAGE } from './usage.js';

const DECISIONS = ['promote', 'abort'] as const;

/**
 * `greenci canary <project> promote|abort`: the operator's word on production's running canary,
 * passed to the process running it (the daemon; without one, only a canary of this process could
 * hear it). Promote: it takes every request now; abort: weight 0 at once, the live release takes
 * every request back. Audited under who asked. Exit 2 when no canary of the project runs.
 */
export async function canaryCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, CANARY_USAGE);
  if (values.help) return (io.out(CANARY_USAGE), EXIT.ok);
  const [project, decision] = positionals;
  if (positionals.length !== 2 || !DECISIONS.includes(decision as (typeof DECISIONS)[number]))
    throw new UsageError(`name one project and promote or abort\nusage: ${CANARY_USAGE}`);
  const client = await openClient(io, values.config);
  const actor = whoAsked(io.env);
  try {
    const d = decision as (typeof DECISIONS)[number];
    const { version } = await client.canaryDecision({ project, decision: d, requestedBy: actor }).catch((err: Error) => {
      if (err instanceof NotFoundError && client.mode === 'in-process')
        throw new NotFoundError(
          `${err.message} (no daemon answers: a canary is decided by the greenci process releasing it, such as a greenci run or greenci release still running)`,
        );
      throw err;
    });
    if (values.json) io.out(JSON.stringify({ project, decision: d, version, requestedBy: actor }));
    else
      io.out(
        printable(
          d === 'promote'
            ? `✔ production ${project}: canary ${version} promoted by ${actor}; it takes every request now`
            : `✔ production ${project}: canary ${version} aborted by ${actor}; the live release takes every request back`,
        ),
      );
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
