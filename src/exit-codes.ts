import { ConfigError, ExternalCommandError, OperationFailedError, StageError, UsageError } from '../engine/errors.js';

/** The exit codes greenci promises: 0 success, 1 pipeline or operation failure, 2 bad config or usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Maps a thrown error to a message for stderr and an exit code. Only src/ does this. */
export function exitFor(err: unknown): { code: number; message: string } {
  if (err instanceof ConfigError || err instanceof UsageError) return { code: EXIT.usage, message: `greenci: ${err.message}` };
  if (err instanceof ExternalCommandError) return { code: EXIT.failed, message: `greenci: ${err.message}` };
  if (err instanceof OperationFailedError || err instanceof StageError) return { code: EXIT.failed, message: `greenci: ${err.message}` };
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: EXIT.failed, message: `greenci: internal error (please report it):\n${stack}` };
}
