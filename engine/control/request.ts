import type http from 'node:http';
import { NotFoundError, UsageError } from '../errors.js';

/** What the control API reads from a request, each checked with a clear error (a 400 or 404). */
export function found<T>(v: T | undefined, message: string): T {
  if (v === undefined) throw new NotFoundError(message);
  return v;
}
export const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !v) throw new UsageError(`${name} is required`);
  return v;
};
export const whole = (v: string, name: string): number => {
  if (!/^\d{1,15}$/.test(v)) throw new UsageError(`${name} must be a whole number, not ${JSON.stringify(v.slice(0, 40))}`);
  return Number(v);
};
export const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
export const optBuild = (v: unknown): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`build must be a build id, not ${JSON.stringify(v)}`);
  return v;
};
/** `{weight, forMs}` as `greenci release --canary` sends it; the engine checks the ranges. */
export const optCanary = (v: unknown): { weight: number; forMs: number } | undefined => {
  if (v === undefined || v === null) return undefined;
  const c = v as { weight?: unknown; forMs?: unknown };
  if (typeof v !== 'object' || typeof c.weight !== 'number' || typeof c.forMs !== 'number')
    throw new UsageError('canary must be {"weight": percent, "forMs": milliseconds}');
  return { weight: c.weight, forMs: c.forMs };
};
export const decision = (v: unknown): 'promote' | 'abort' => {
  if (v === 'promote' || v === 'abort') return v;
  throw new UsageError(`decision must be "promote" or "abort", not ${JSON.stringify(v ?? null)?.slice(0, 40)}`);
};
export const who = (body: Record<string, unknown>): string =>
  typeof body.requestedBy === 'string' && body.requestedBy ? body.requestedBy.slice(0, 100) : 'unknown';

/** The request's JSON object body (at most 1 MB; none is `{}`). */
export async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) throw new UsageError('request body too large');
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new UsageError('the request body is not a JSON object');
  }
}
