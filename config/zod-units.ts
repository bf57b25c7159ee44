import { z } from 'zod';
import { parseDuration } from './units.js';

/** A duration as people write it in YAML (`500ms`, `30s`, `2m`, or a number of seconds), parsed to milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (use e.g. 500ms, 30s, 2m)` });
  return ms ?? 0;
});
