import { UsageError } from '../../engine/errors.js';
import { buildsTable } from '../../views/format/build-lines.js';
import { formatTime } from '../../views/format/duration.js';
import { printable } from '../../views/format/printable.js';
import { parse } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { openEngine } from '../setup.js';

export const BUILDS_USAGE = 'greenci builds [project] [--limit N] [--json] [--config PATH]';
export const LOGS_USAGE = 'greenci logs <build-id> [--stage NAME] [--json] [--config PATH]';

/** Lists recent builds, newest first. */
export async function buildsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { limit: { type: 'string', short: 'n' } }, BUILDS_USAGE);
  if (values.help) return io.out(BUILDS_USAGE), EXIT.ok;
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a whole number above 0\nusage: ${BUILDS_USAGE}`);
  const engine = openEngine(io, values.config);
  try {
    const builds = engine.builds({ project: positionals[0], limit });
    io.out(values.json ? JSON.stringify(builds) : buildsTable(builds));
    return EXIT.ok;
  } finally {
    engine.close();
  }
}

/** Prints a build's recorded log, stage by stage. */
export async function logsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { stage: { type: 'string' } }, LOGS_USAGE);
  if (values.help) return io.out(LOGS_USAGE), EXIT.ok;
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw new UsageError(`name one build id\nusage: ${LOGS_USAGE}`);
  const engine = openEngine(io, values.config);
  try {
    if (!engine.build(id)) throw new UsageError(`no build #${id}`);
    const lines = engine.logs(id).filter((l) => values.stage === undefined || l.stage === values.stage);
    if (values.json) {
      io.out(JSON.stringify(lines));
    } else {
      let stage: string | undefined;
      for (const l of lines) {
        if (l.stage !== stage) io.out(`== ${(stage = l.stage) ?? 'build'}`);
        io.out(`${formatTime(l.ts).slice(11)} ${l.stream === 'stderr' ? '!' : ' '} ${printable(l.line)}`);
      }
    }
    return EXIT.ok;
  } finally {
    engine.close();
  }
}
