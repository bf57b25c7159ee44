import cron, { type Logger, type ScheduledTask } from 'node-cron';

export type { ScheduledTask };

/** Where a scheduled job's own troubles go: greenci's log (the daemon's NDJSON journal), or nowhere. */
export type CronLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface CronJobOptions {
  /** Names the job in its log lines (`monitor`, `reconcile`). */
  name: string;
  /** A run still going when the next is due: the next is dropped. */
  noOverlap?: boolean;
  log?: CronLog;
}

/**
 * Runs `run` on a node-cron schedule (the only node-cron importer besides the config's validation).
 * node-cron 4 writes its warnings (a late tick's "missed execution", an overlap) to the console
 * with colours, which would break the daemon's NDJSON log and a console's screen: they go through
 * greenci's log instead, as structured lines, and a missed run is recorded as such
 * (`{cron: 'monitor', missed: '2026-…'}`).
 */
export function scheduleJob(expression: string, run: () => unknown, o: CronJobOptions): ScheduledTask {
  const task = cron.schedule(expression, run, { name: o.name, noOverlap: o.noOverlap, logger: cronLogger(o.name, o.log) });
  // with a listener here node-cron stays quiet about it
  task.on('execution:missed', (ctx) =>
    o.log?.('warn', `${o.name}: the run due at ${ctx.date.toISOString()} was skipped: the process was busy or paused past it`, {
      cron: o.name,
      missed: ctx.date.toISOString(),
    }),
  );
  return task;
}

/** node-cron's messages as greenci log lines (errors with their message, never a stack on the console). */
export function cronLogger(name: string, log: CronLog | undefined): Logger {
  const say = (level: 'info' | 'warn' | 'error', message: string | Error, err?: Error) => {
    const text = message instanceof Error ? message.message : message;
    const cause = err ?? (message instanceof Error ? message : undefined);
    log?.(level, `${name}: ${text}${cause && cause.message !== text ? `: ${cause.message}` : ''}`, { cron: name });
  };
  return {
    info: (m) => say('info', m),
    warn: (m) => say('warn', m),
    error: (m, err) => say('error', m, err),
    debug: () => undefined,
  };
}
