import { UsageError } from '../../engine/errors.js';
import { buildSummary, buildTitle, stageLine } from '../../views/format/build-lines.js';
import { printable } from '../../views/format/printable.js';
import { parse } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { holdSignals } from '../signals.js';
import { openRuntime } from '../runtime.js';
import { RUN_USAGE } from './usage.js';

/** Runs one pipeline in-process, printing a line per stage as it finishes. Ctrl-C cancels the build cleanly. */
export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { branch: { type: 'string', short: 'b' }, sha: { type: 'string' } }, RUN_USAGE);
  if (values.help) return (io.out(RUN_USAGE), EXIT.ok);
  const [project, ...extra] = positionals;
  if (!project || extra.length) throw new UsageError(`name one project\nusage: ${RUN_USAGE}`);
  if (values.branch === undefined) throw new UsageError(`--branch is required\nusage: ${RUN_USAGE}`);

  const local = openRuntime(io, values.config);
  const engine = local.engine;
  local.startMail();
  const abort = new AbortController();
  const releaseSignals = holdSignals(
    (signal) => {
      io.err(`greenci: ${signal}: cancelling the build (a production change in progress finishes first)...`);
      abort.abort('cancelled by the operator');
    },
    'greenci: still cancelling; a production change in progress cannot be interrupted',
    io.err,
  );
  let buildId = 0;
  const unsubscribe = engine.subscribe((e) => {
    if (e.type !== 'stage.updated' || e.buildId !== buildId || e.stage.status === 'running' || e.stage.status === 'pending') return;
    if (values.json) io.out(JSON.stringify({ event: 'stage', buildId, ...e.stage }));
    else io.out(stageLine(e.stage));
  });
  try {
    const build = await engine.run(
      { project, branch: values.branch, sha: values.sha, trigger: 'manual', requestedBy: whoAsked(io.env) },
      { signal: abort.signal, onCreated: (b) => ((buildId = b.id), values.json || io.out(buildTitle(b))) },
    );
    if (values.json) {
      io.out(JSON.stringify({ event: 'build', ...build }));
    } else {
      io.out(buildSummary(build));
      if (build.status === 'failed') {
        const failed = build.stages.find((s) => s.status === 'failed');
        const tail = engine
          .logs(build.id)
          .filter((l) => l.stage === failed?.name)
          .slice(-15);
        if (tail.length) io.out(`last lines of ${failed!.name}:\n${tail.map((l) => `  | ${printable(l.line)}`).join('\n')}`);
        io.out(`full log: greenci logs ${build.id}`);
      }
    }
    return build.status === 'success' ? EXIT.ok : EXIT.failed;
  } finally {
    unsubscribe();
    releaseSignals();
    await local.stop();
  }
}
