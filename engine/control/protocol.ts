import { ConfigError, NotFoundError, OperationFailedError, UsageError } from '../errors.js';

/**
 * The control API's wire rules, shared by server and client. HTTP + JSON over a unix socket;
 * streams are NDJSON (one JSON object per line). Errors travel as `{error, kind}` and the client
 * raises the same error class, so a command fails the same way through the daemon as in-process.
 */

export const API = '/v1';

export type ErrorKind = 'not-found' | 'usage' | 'config' | 'operation' | 'internal';

export function errorKind(err: unknown): { status: number; kind: ErrorKind } {
  if (err instanceof NotFoundError) return { status: 404, kind: 'not-found' };
  if (err instanceof UsageError) return { status: 400, kind: 'usage' };
  if (err instanceof ConfigError) return { status: 400, kind: 'config' };
  if (err instanceof OperationFailedError) return { status: 409, kind: 'operation' };
  return { status: 500, kind: 'internal' };
}

export function errorFrom(kind: ErrorKind | undefined, message: string): Error {
  if (kind === 'not-found') return new NotFoundError(message);
  if (kind === 'usage') return new UsageError(message);
  if (kind === 'config') return new ConfigError(message);
  if (kind === 'operation') return new OperationFailedError(message);
  return new Error(message);
}

export type { DaemonInfo } from '../api.js';
