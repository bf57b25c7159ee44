import { UsageError } from '../../engine/errors.js';
import type { LogLine } from '../../engine/model.js';
import { buildSummary, buildsTable } from '../../views/format/build-lines.js';
import { formatTime } from '../../engine/duration.js';
import { printable } from '../../views/format/printable.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { BUILDS_USAGE, LOGS_USAGE } from './usage.js';

/** Lists recent builds, newest first (queued ones included). */
export async function buildsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { limit: { type: 'string', short: 'n' } }, BUILDS_USAGE);
  if (values.help) return (io.out(BUILDS_USAGE), EXIT.ok);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a whole number above 0\nusage: ${BUILDS_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    const builds = await client.builds({ project: positionals[0], limit });
    io.out(values.json ? JSON.stringify(builds) : buildsTable(builds));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Prints a build's log, stage by stage; `-f` follows it until the build ends (Ctrl-C stops following, not the build). */
export async function logsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { stage: { type: 'string' }, follow: { type: 'boolean', short: 'f' } }, LOGS_USAGE);
  if (values.help) return (io.out(LOGS_USAGE), EXIT.ok);
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw new UsageError(`name one build id\nusage: ${LOGS_USAGE}`);
  const client = await openClient(io, values.config);
  const stop = new AbortController();
  const onInt = () => stop.abort();
  process.once('SIGINT', onInt);
  // nobody reads any more (`| head`): stop following rather than follow into the void until the build ends
  io.outputClosed?.addEventListener('abort', onInt, { once: true });
  try {
    if (!(await client.build(id))) throw new UsageError(`no build #${id}`);
    let stage: string | null = null;
    const print = (l: LogLine) => {
      if (values.stage !== undefined && l.stage !== values.stage) return;
      if (values.json) return io.out(JSON.stringify(l));
      if (l.stage !== stage) io.out(`== ${(stage = l.stage ?? null) ?? 'build'}`);
      io.out(`${formatTime(l.ts).slice(11)} ${l.stream === 'stderr' ? '!' : ' '} ${printable(l.line)}`);
    };
    const build = await client.logs(id, { follow: values.follow, onLine: print, signal: stop.signal });
    if (values.follow && !values.json && !stop.signal.aborted) io.out(buildSummary(build));
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onInt);
    io.outputClosed?.removeEventListener('abort', onInt);
    await client.close();
  }
}
