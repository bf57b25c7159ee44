import { ExternalCommandError } from '../errors.js';

/** How the dockerode-backed resource modules read and report the engine's errors. */

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusOf(err) === 409;
/** 304: the container was already in the state asked for (stopped). */
export const isNotModified = (err: unknown): boolean => statusOf(err) === 304;

/** A failed engine call as `docker <action>`, with the engine's own message and a hint when no engine answers. */
export function dockerError(action: string, err: unknown): ExternalCommandError {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string; code?: string };
  const detail = e.json?.message ?? e.message ?? String(err);
  const hint = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? ' (is the Docker engine running? try: npm run host)' : '';
  return new ExternalCommandError('docker', [action], e.statusCode ?? null, detail + hint);
}
