import { UsageError } from '../../engine/errors.js';
import { buildSummary, buildTitle, stageLine } from '../../views/format/build-lines.js';
import { parse } from '../args.js';
import type { EngineClient } from '../../engine/client.js';
import { openClient } from '../client/open-client.js';
import type { BuildRecord } from '../../engine/model.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { holdSignals } from '../signals.js';
import { TRIGGER_USAGE, CANCEL_USAGE, RETRY_USAGE } from './usage.js';

/**
 * Queues a build. With a daemon it is queued there and the command returns; without one the
 * build runs here and now, a line per stage (Ctrl-C cancels it cleanly). `retry` does the same
 * with the commit of an earlier build.
 */
export async function triggerCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { branch: { type: 'string', short: 'b' }, sha: { type: 'string' } }, TRIGGER_USAGE);
  if (values.help) return (io.out(TRIGGER_USAGE), EXIT.ok);
  const [project, ...extra] = positionals;
  if (!project || extra.length) throw new UsageError(`name one project\nusage: ${TRIGGER_USAGE}`);
  if (values.branch === undefined) throw new UsageError(`--branch is required\nusage: ${TRIGGER_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    const queued = await client.trigger({ project, branch: values.branch, sha: values.sha, requestedBy: whoAsked(io.env) });
    return await runOrHandOver(client, queued, io, values.json === true);
  } finally {
    await client.close();
  }
}

/** With a daemon: say it is queued there. Without one: run it here, a line per stage. */
async function runOrHandOver(client: EngineClient, queued: BuildRecord, io: Io, json: boolean): Promise<number> {
  if (!client.runHere) {
    if (json) io.out(JSON.stringify(queued));
    else io.out(`${buildTitle(queued)} queued by the daemon; follow it: greenci logs ${queued.id} -f`);
    return EXIT.ok;
  }
  if (!json) io.out(`${buildTitle(queued)} (no daemon: running it here)`);
  const abort = new AbortController();
  const releaseSignals = holdSignals(
    (s) => (io.err(`greenci: ${s}: cancelling the build...`), abort.abort(`cancelled by ${whoAsked(io.env)}`)),
    'greenci: still cancelling',
    io.err,
  );
  const printed = new Set<string>();
  try {
    const build = await client.runHere(queued.id, abort.signal, (b) => {
      for (const s of b.stages) {
        if (['pending', 'running'].includes(s.status) || printed.has(s.name)) continue;
        printed.add(s.name);
        if (!json) io.out(stageLine(s));
      }
    });
    io.out(json ? JSON.stringify(build) : buildSummary(build));
    return build.status === 'success' ? EXIT.ok : EXIT.failed;
  } finally {
    releaseSignals();
  }
}

function buildId(positionals: string[], usage: string): number {
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw new UsageError(`name one build id\nusage: ${usage}`);
  return id;
}

/** Cancels a queued or running build (a production change in progress still finishes). */
export async function cancelCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, CANCEL_USAGE);
  if (values.help) return (io.out(CANCEL_USAGE), EXIT.ok);
  const id = buildId(positionals, CANCEL_USAGE);
  const client = await openClient(io, values.config);
  try {
    const b = await client.cancel(id, whoAsked(io.env));
    if (values.json) io.out(JSON.stringify(b));
    else
      io.out(b.status === 'cancelled' ? `⊘ build #${id} cancelled` : `⊘ build #${id}: cancel requested; it stops at the next safe point`);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Queues the same commit again as a new build. */
export async function retryCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, RETRY_USAGE);
  if (values.help) return (io.out(RETRY_USAGE), EXIT.ok);
  const id = buildId(positionals, RETRY_USAGE);
  const client = await openClient(io, values.config);
  try {
    return await runOrHandOver(client, await client.retry(id, whoAsked(io.env)), io, values.json === true);
  } finally {
    await client.close();
  }
}
