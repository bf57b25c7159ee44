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
 * The serialisations a sender may have signed: compact and pretty-printed (2 spaces), each with
 * `/` plain or escaped as `\/`, and with characters plain, HTML-escaped (`<>&` as `\u003c`...,
 * Rails' default), also non-ASCII escaped, or control characters in upper-case hex (`\u001B`);
 * with or without a final newline.
 * Numbers beyond 2^53 lose digits in JSON.parse, and other escape styles or indentations are not
 * guessed: those deliveries cannot be verified after a relay re-serialised them (README).
 */
export function reencodings(parsed: unknown): string[] {
  const out = new Set<string>();
  for (const base of [JSON.stringify(parsed), JSON.stringify(parsed, null, 2)]) {
    for (const escaped of [base, base.replace(/[<>&]/g, hex), base.replace(/[<>&\u007f-\uffff]/g, hex), base.replace(/\\u00([01][0-9a-f])/g, (_, h: string) => `\\u00${h.toUpperCase()}`)]) {
      // files and some senders end with a newline
      for (const v of [escaped, escaped.replace(/\//g, '\\/')]) out.add(v).add(`${v}\n`);
    }
  }
  return [...out];
}

function hex(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
