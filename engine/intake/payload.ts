import type { PushInfo } from '../model.js';

/** Reading a GitHub delivery: the body's encoding and what a push asks for. Pure functions. */

export type ParsedBody = { ok: true; payload: Record<string, unknown> } | { ok: false; status: 400 | 415; message: string };

/** GitHub's payloads nest a dozen levels at most; anything far deeper is not a delivery. */
export const MAX_JSON_DEPTH = 64;

/** Accepts `application/json` and `application/x-www-form-urlencoded` (`payload=<json>`), as GitHub sends them. Never echoes the input. */
export function parseBody(contentType: string | undefined, raw: string): ParsedBody {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  let json: string;
  if (type === 'application/json' || type === '') json = raw;
  else if (type === 'application/x-www-form-urlencoded') {
    const p = new URLSearchParams(raw).get('payload');
    if (p === null) return { ok: false, status: 400, message: 'form body without a payload field' };
    json = p;
  } else return { ok: false, status: 415, message: 'unsupported content type: use application/json' };
  if (nestedDeeperThan(json, MAX_JSON_DEPTH))
    return { ok: false, status: 400, message: `malformed JSON: nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    const payload = JSON.parse(json) as unknown;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload))
      return { ok: false, status: 400, message: 'the payload is not a JSON object' };
    return { ok: true, payload: payload as Record<string, unknown> };
  } catch (err) {
    // V8's message quotes the input: say only where it broke
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    return { ok: false, status: 400, message: `malformed JSON${at ? ` at position ${at}` : ''}` };
  }
}

/**
 * Whether the JSON text opens more than `limit` arrays or objects inside one another, read
 * without parsing (strings skipped): deep nesting costs every recursive reader its stack.
 */
export function nestedDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** `repository.full_name`, if the payload names a repository. */
export function repositoryOf(payload: Record<string, unknown>): string | undefined {
  const repo = payload.repository as { full_name?: unknown } | undefined;
  return typeof repo?.full_name === 'string' ? repo.full_name : undefined;
}

/** A push to build: the branch head, with who pushed and what the head commit says. */
export type PushBuild = { kind: 'build'; branch: string; after: string } & PushInfo;

export type PushDecision =
  | PushBuild
  | { kind: 'tag'; ref: string }
  | { kind: 'deleted'; branch: string }
  | { kind: 'skip-ci'; branch: string; after: string; marker: string }
  | { kind: 'invalid'; message: string };

const SKIP_MARKERS = ['[skip ci]', '[ci skip]', '[no ci]', '[skip actions]', '[actions skip]'];
const ZERO = /^0{40}$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What a `push` delivery asks for: a build of a branch head, or nothing (tag, deletion, `[skip ci]`). */
export function decidePush(payload: Record<string, unknown>): PushDecision {
  const ref = str(payload.ref);
  if (!ref) return { kind: 'invalid', message: 'push without a ref' };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', ref };
  if (!ref.startsWith('refs/heads/')) return { kind: 'invalid', message: `push to ${ref}, which is neither a branch nor a tag` };
  const branch = ref.slice('refs/heads/'.length);
  if (payload.deleted === true) return { kind: 'deleted', branch };
  const after = str(payload.after);
  if (!after || !/^[0-9a-f]{40}$/i.test(after) || ZERO.test(after))
    return { kind: 'invalid', message: 'push without a head commit (after)' };
  const head = (payload.head_commit ?? undefined) as
    | { message?: unknown; url?: unknown; author?: { name?: unknown; email?: unknown } }
    | undefined;
  const message = str(head?.message);
  const marker = message && SKIP_MARKERS.find((m) => message.toLowerCase().includes(m));
  if (marker) return { kind: 'skip-ci', branch, after, marker };
  const pusher = payload.pusher as { name?: unknown; email?: unknown } | undefined;
  return {
    kind: 'build',
    branch,
    after,
    pusherName: str(pusher?.name),
    pusherEmail: str(pusher?.email),
    headMessage: message,
    headUrl: str(head?.url),
    headAuthor: str(head?.author?.name),
    headAuthorEmail: str(head?.author?.email),
  };
}
