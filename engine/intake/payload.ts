import type { PushInfo } from '../model.js';

/** Reading a GitHub delivery: the body's encoding and what a push asks for. Pure functions. */

export type ParsedBody = { ok: true; payload: Record<string, unknown> } | { ok: false; status: 400 | 415; message: string };

/** Accepts `application/json` and `application/x-www-form-urlencoded` (`payload=<json>`), as GitHub sends them. */
export function parseBody(contentType: string | undefined, raw: string): ParsedBody {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  let json: string;
  if (type === 'application/json' || type === '') json = raw;
  else if (type === 'application/x-www-form-urlencoded') {
    const p = new URLSearchParams(raw).get('payload');
    if (p === null) return { ok: false, status: 400, message: 'form body without a payload field' };
    json = p;
  } else return { ok: false, status: 415, message: `unsupported content type ${JSON.stringify(type)}: use application/json` };
  try {
    const payload = JSON.parse(json) as unknown;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { ok: false, status: 400, message: 'the payload is not a JSON object' };
    return { ok: true, payload: payload as Record<string, unknown> };
  } catch (err) {
    return { ok: false, status: 400, message: `malformed JSON: ${(err as Error).message}` };
  }
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
  if (!after || !/^[0-9a-f]{40}$/i.test(after) || ZERO.test(after)) return { kind: 'invalid', message: 'push without a head commit (after)' };
  const head = (payload.head_commit ?? undefined) as { message?: unknown; url?: unknown; author?: { name?: unknown; email?: unknown } } | undefined;
  const message = str(head?.message);
  const marker = message && SKIP_MARKERS.find((m) => message.toLowerCase().includes(m));
  if (marker) return { kind: 'skip-ci', branch, after, marker };
  const pusher = payload.pusher as { name?: unknown; email?: unknown } | undefined;
  return {
    kind: 'build', branch, after,
    pusherName: str(pusher?.name), pusherEmail: str(pusher?.email),
    headMessage: message, headUrl: str(head?.url), headAuthor: str(head?.author?.name), headAuthorEmail: str(head?.author?.email),
  };
}
