import { verify } from '@octokit/webhooks-methods';

/** How a delivery's `X-Hub-Signature-256` matched. */
export type Verified = 'raw' | 'reserialised';

/**
 * Verifies a delivery's signature with @octokit/webhooks-methods (HMAC-SHA256, constant-time
 * compare). First over the body exactly as received. If that fails and the body parsed as JSON,
 * over the forms a relay may have turned the original into, because smee.io re-serialises
 * bodies (`JSON.stringify(JSON.parse(body))`): a genuine delivery whose original bytes were
 * pretty-printed or escaped differently arrives with a signature over bytes we no longer have.
 * Each candidate is a re-encoding of the very object we act on, so a match still proves the
 * sender knew the secret and sent this content; a forger without the secret matches none.
 */
export async function verifySignature(secret: string, raw: string, signature: string | undefined, parsed?: unknown): Promise<Verified | undefined> {
  if (!secret || !signature || !/^sha256=[0-9a-f]{64}$/.test(signature)) return undefined;
  if (raw && (await verify(secret, raw, signature))) return 'raw';
  if (parsed === undefined) return undefined;
  for (const candidate of reencodings(parsed)) {
    if (candidate !== raw && (await verify(secret, candidate, signature))) return 'reserialised';
  }
  return undefined;
}

/**
 * The serialisations a sender may have signed: compact and pretty-printed (2 spaces), each
 * plain, with `/` escaped as `\/`, and with HTML-sensitive and non-ASCII characters escaped as
 * `\uXXXX`. Numbers beyond 2^53 lose digits in JSON.parse: those deliveries cannot be verified
 * after re-serialisation (documented in the README).
 */
export function reencodings(parsed: unknown): string[] {
  const bases = [JSON.stringify(parsed), JSON.stringify(parsed, null, 2)];
  const out: string[] = [];
  for (const b of bases) {
    out.push(b, b.replace(/\//g, '\\/'), escapeUnicode(b), escapeUnicode(b).replace(/\//g, '\\/'));
  }
  return [...new Set(out)];
}

function escapeUnicode(json: string): string {
  return json.replace(/[<>&\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
