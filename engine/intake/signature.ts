import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';

/** How a delivery's `X-Hub-Signature-256` matched. */
export type Verified = 'raw' | 'reserialised';

/** The form GitHub signs with: `sha256=` and 64 lower-case hex digits. */
export const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * Bodies larger than this are never re-encoded to look for a relay's re-serialisation: a push
 * GitHub sends is rarely over a few hundred KB, and each re-encoding of a large body costs time
 * and memory an unauthenticated sender should not be able to spend.
 */
export const MAX_REENCODED_BYTES = 2 * 1024 * 1024;

/**
 * The raw-bytes check, fed while the body streams in: one HMAC per configured secret, updated
 * chunk by chunk, so a 25 MB body costs the event loop nothing at its end (HMAC over 25 MB in
 * one piece holds it for ~25 ms a secret). Nothing is kept but the HMAC state.
 */
export class StreamingSignatureCheck {
  private readonly hmacs: { secret: string; hmac: ReturnType<typeof createHmac> }[];

  /** No signature, or one not in GitHub's form: nothing is hashed and nothing will match. */
  constructor(
    secrets: Iterable<string>,
    private readonly signature: string | undefined,
  ) {
    const wanted = signature && SIGNATURE.test(signature) ? [...new Set(secrets)].filter(Boolean) : [];
    this.hmacs = wanted.map((secret) => ({ secret, hmac: createHmac('sha256', secret) }));
  }

  update(chunk: Buffer): void {
    for (const h of this.hmacs) h.hmac.update(chunk);
  }

  /** The secrets the body as received was signed with (constant-time compare); call once, at the end. */
  matches(): Set<string> {
    const out = new Set<string>();
    if (!this.signature) return out;
    const expected = Buffer.from(this.signature);
    for (const h of this.hmacs) {
      const got = Buffer.from(`sha256=${h.hmac.digest('hex')}`);
      if (got.length === expected.length && timingSafeEqual(got, expected)) out.add(h.secret);
    }
    return out;
  }
}

/** The raw-bytes check over a body already in memory (a delivery that did not stream through the server). */
export function signedWith(secrets: Iterable<string>, body: Buffer, signature: string | undefined): Set<string> {
  const check = new StreamingSignatureCheck(secrets, signature);
  check.update(body);
  return check.matches();
}

/**
 * Verifies a delivery's signature with @octokit/webhooks-methods (HMAC-SHA256, constant-time
 * compare). First over the body exactly as received. Then, only when `parsed` is given (the
 * caller passes it for deliveries our own smee relay forwarded) and the body is at most
 * MAX_REENCODED_BYTES, over the forms a relay may have turned the original into: smee.io
 * re-serialises bodies (`JSON.stringify(JSON.parse(body))`), so a genuine delivery whose original
 * bytes were pretty-printed or escaped differently arrives with a signature over bytes we no
 * longer have. Each candidate is a re-encoding of the very object we act on, so a match still
 * proves the sender knew the secret and sent this content; a forger without the secret matches
 * none. Candidates are made one at a time, with the event loop let go between them.
 */
export async function verifySignature(
  secret: string,
  raw: string,
  signature: string | undefined,
  parsed?: unknown,
): Promise<Verified | undefined> {
  if (!secret || !signature || !SIGNATURE.test(signature)) return undefined;
  if (raw && (await verify(secret, raw, signature))) return 'raw';
  if (parsed === undefined || Buffer.byteLength(raw) > MAX_REENCODED_BYTES) return undefined;
  for (const candidate of reencodings(parsed)) {
    await new Promise((resolve) => setImmediate(resolve));
    if (candidate !== raw && (await verify(secret, candidate, signature))) return 'reserialised';
  }
  return undefined;
}

/**
 * The serialisations a sender may have signed, made lazily and each once: compact and
 * pretty-printed (2 spaces), each with `/` plain or escaped as `\/`, and with characters plain,
 * HTML-escaped (`<>&` as `\u003c`..., Rails' default), also non-ASCII escaped, or control
 * characters in upper-case hex (`\u001B`); with or without a final newline.
 * Numbers beyond 2^53 lose digits in JSON.parse, and other escape styles or indentations are not
 * guessed: those deliveries cannot be verified after a relay re-serialised them (README).
 */
export function* reencodings(parsed: unknown): Generator<string> {
  const seen = new Set<string>();
  const fresh = (v: string): boolean => {
    const key = createHash('sha256').update(v).digest('base64');
    return !seen.has(key) && Boolean(seen.add(key));
  };
  for (const indent of [undefined, 2]) {
    const base = JSON.stringify(parsed, null, indent);
    const escapes = [
      (s: string) => s,
      (s: string) => s.replace(/[<>&]/g, hex),
      (s: string) => s.replace(/[<>&\u007f-\uffff]/g, hex),
      (s: string) => s.replace(/\\u00([01][0-9a-f])/g, (_, h: string) => `\\u00${h.toUpperCase()}`),
    ];
    for (const escapeForm of escapes) {
      const escaped = escapeForm(base);
      for (const slashes of [(s: string) => s, (s: string) => s.replace(/\//g, '\\/')]) {
        const v = slashes(escaped);
        // files and some senders end with a newline
        for (const form of [v, `${v}\n`]) if (fresh(form)) yield form;
      }
    }
  }
}

function hex(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
