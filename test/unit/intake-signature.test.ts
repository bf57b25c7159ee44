import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { MAX_REENCODED_BYTES, reencodings, signedWith, StreamingSignatureCheck, verifySignature } from '../../engine/intake/signature.js';

/** Real GitHub deliveries, recorded upstream (copied verbatim with their provenance: test/fixtures/github-payloads/SOURCES.md). */
const PAYLOADS = new URL('../fixtures/github-payloads/', import.meta.url);
const rawPayload = (file: string): string => readFileSync(new URL(file, PAYLOADS), 'utf8');

const SECRET = 'greenci webhook secret';

/** What smee.io delivers in place of the original body. */
const smee = (original: string) => ({ raw: JSON.stringify(JSON.parse(original)), parsed: JSON.parse(original) as unknown });

describe('verifySignature over the body as received', () => {
  // GitHub's documented test vector (docs.github.com, "Validating webhook deliveries").
  const docSecret = "It's a Secret to Everybody";
  const docBody = 'Hello, World!';
  const docSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("accepts GitHub's documented test vector as a raw match", async () => {
    expect(await verifySignature(docSecret, docBody, docSignature)).toBe('raw');
  });

  it('refuses the test vector with another secret', async () => {
    expect(await verifySignature("It's a Secret to Nobody", docBody, docSignature)).toBeUndefined();
  });

  it('refuses a body changed by one byte', async () => {
    expect(await verifySignature(docSecret, 'Hello, World?', docSignature)).toBeUndefined();
  });

  it('refuses a delivery without a signature, or without a secret to check it with', async () => {
    expect(await verifySignature(docSecret, docBody, undefined)).toBeUndefined();
    expect(await verifySignature(docSecret, docBody, '')).toBeUndefined();
    expect(await verifySignature('', docBody, docSignature)).toBeUndefined();
  });

  it('refuses a sha1= signature, even a correct one', async () => {
    // HMAC-SHA1 of the test vector with its secret (X-Hub-Signature, the legacy header)
    const sha1 = `sha1=${createHmac('sha1', docSecret).update(docBody).digest('hex')}`;
    expect(await verifySignature(docSecret, docBody, sha1)).toBeUndefined();
  });

  it('refuses malformed signatures', async () => {
    for (const bad of [
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      'sha256=757107ea',
      'sha256=not-hex',
      `${docSignature}00`,
      'sha256= 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    ]) {
      expect(await verifySignature(docSecret, docBody, bad), bad).toBeUndefined();
    }
  });

  it('accepts a real push delivery signed over its exact bytes', async () => {
    const original = rawPayload('zulip/push__force_1_commit.json');
    const signature = await sign(SECRET, original);
    expect(await verifySignature(SECRET, original, signature, JSON.parse(original))).toBe('raw');
  });
});

describe('verifySignature after a relay re-serialised the body (smee.io)', () => {
  it('accepts a real pretty-printed delivery that smee.io compacted', async () => {
    // Given a real delivery's original, pretty-printed bytes, signed by the sender
    const original = rawPayload('drone-go-scm/branch_create.json');
    expect(original).toContain('\n  "ref": "feature-branch",\n');
    const signature = await sign(SECRET, original);
    // When it arrives as smee.io forwards it: JSON.stringify(JSON.parse(original))
    const { raw, parsed } = smee(original);
    expect(raw).not.toBe(original);
    // Then the raw bytes no longer match, but the content is verified as a re-serialisation
    expect(await verifySignature(SECRET, raw, signature)).toBeUndefined();
    expect(await verifySignature(SECRET, raw, signature, parsed)).toBe('reserialised');
  });

  it('accepts a compact original that escaped slashes as \\/', async () => {
    // Given a real push, sent compact with every "/" escaped (as some JSON encoders do)
    const compact = JSON.stringify(JSON.parse(rawPayload('drone-go-scm/push.json')));
    const original = compact.replace(/\//g, '\\/');
    expect(original).toContain('"ref":"refs\\/heads\\/');
    const signature = await sign(SECRET, original);
    // When smee.io re-serialises it
    const { raw, parsed } = smee(original);
    expect(raw).toBe(compact);
    // Then it is still verified
    expect(await verifySignature(SECRET, raw, signature, parsed)).toBe('reserialised');
  });

  it('accepts a compact original that escaped non-ASCII characters as \\uXXXX', async () => {
    // Given a real push whose head commit message has accents, an emoji and a CJK character,
    // sent compact with everything beyond ASCII escaped
    const payload = JSON.parse(rawPayload('zulip/push__force_1_commit.json')) as Record<string, Record<string, unknown>>;
    payload.head_commit.message = 'Café: naïve fix ☕ 🚀 修复';
    const compact = JSON.stringify(payload);
    expect(compact).not.toMatch(/[<>&]/);
    const original = compact.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(original).toContain('Caf\\u00e9');
    expect(original).toContain('\\ud83d\\ude80');
    const signature = await sign(SECRET, original);
    // When smee.io re-serialises it (the characters come back unescaped)
    const { raw, parsed } = smee(original);
    expect(raw).toContain('Café');
    // Then it is still verified
    expect(await verifySignature(SECRET, raw, signature, parsed)).toBe('reserialised');
  });

  it('refuses a forgery: other content under a genuine signature', async () => {
    // Given a genuine signature over a real delivery
    const original = rawPayload('drone-go-scm/branch_create.json');
    const signature = await sign(SECRET, original);
    // When someone without the secret replays that signature with another ref
    const forged = JSON.parse(original) as Record<string, unknown>;
    forged.ref = 'main';
    const forgedPretty = JSON.stringify(forged, null, 2);
    // Then no form of the forged content verifies
    expect(await verifySignature(SECRET, JSON.stringify(forged), signature)).toBeUndefined();
    expect(await verifySignature(SECRET, JSON.stringify(forged), signature, forged)).toBeUndefined();
    expect(await verifySignature(SECRET, forgedPretty, signature, forged)).toBeUndefined();
  });

  it('refuses a re-serialised delivery signed with another secret', async () => {
    const original = rawPayload('drone-go-scm/tag_create.json');
    const signature = await sign('someone else', original);
    const { raw, parsed } = smee(original);
    expect(await verifySignature(SECRET, raw, signature, parsed)).toBeUndefined();
  });

  it('cannot verify an original with an integer beyond 2^53 once re-serialised (documented limitation)', async () => {
    // Given a real push whose repository id is beyond 2^53, sent compact
    const compact = JSON.stringify(JSON.parse(rawPayload('drone-go-scm/push.json')));
    const original = compact.replace(/"repository":\{"id":\d+/, '"repository":{"id":12345678901234567891');
    expect(original).toContain('12345678901234567891');
    const signature = await sign(SECRET, original);
    // The bytes as sent verify
    expect(await verifySignature(SECRET, original, signature)).toBe('raw');
    // When JSON.parse has rounded the id, no re-encoding reproduces the signed bytes
    const { raw, parsed } = smee(original);
    expect(raw).not.toContain('12345678901234567891');
    expect(await verifySignature(SECRET, raw, signature, parsed)).toBeUndefined();
  });
});

describe('reencodings', () => {
  it('covers compact and 2-space pretty forms, each with slashes and non-ASCII escaped or not, without duplicates', () => {
    const value = { url: 'https://x/y', msg: 'café <b>' };
    const forms = [...reencodings(value)];
    expect(forms).toContain('{"url":"https://x/y","msg":"café <b>"}');
    expect(forms).toContain('{"url":"https:\\/\\/x\\/y","msg":"café <b>"}');
    expect(forms).toContain('{"url":"https://x/y","msg":"caf\\u00e9 \\u003cb\\u003e"}');
    expect(forms).toContain('{"url":"https:\\/\\/x\\/y","msg":"caf\\u00e9 \\u003cb\\u003e"}');
    expect(forms).toContain(JSON.stringify(value, null, 2));
    // Rails-style: only <>& escaped, non-ASCII kept
    expect(forms).toContain('{"url":"https://x/y","msg":"café \\u003cb\\u003e"}');
    expect(forms).toContain(`${JSON.stringify(value, null, 2)}\n`);
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms.every((f) => JSON.stringify(JSON.parse(f)) === JSON.stringify(value))).toBe(true);
    // a value with nothing to escape has only its compact and pretty forms, with and without a final newline
    expect([...reencodings({ a: 1 })]).toEqual(['{"a":1}', '{"a":1}\n', '{\n  "a": 1\n}', '{\n  "a": 1\n}\n']);
    // GitHub writes control characters in upper-case hex
    expect([...reencodings({ m: '\u001b[31m' })]).toContain('{"m":"\\u001B[31m"}');
  });
});

describe('the raw-bytes check as the body streams in', () => {
  const docSecret = "It's a Secret to Everybody";
  const docSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("matches GitHub's test vector fed in pieces, and says which of the secrets signed it", () => {
    const check = new StreamingSignatureCheck(['another project', docSecret], docSignature);
    for (const piece of ['Hel', 'lo, ', 'World!']) check.update(Buffer.from(piece));
    expect([...check.matches()]).toEqual([docSecret]);
    expect([...signedWith([docSecret], Buffer.from('Hello, World?'), docSignature)]).toEqual([]);
    expect([...signedWith([docSecret], Buffer.from('Hello, World!'), undefined)]).toEqual([]);
    expect([...signedWith([docSecret], Buffer.from('Hello, World!'), 'sha256=XYZ')]).toEqual([]);
  });

  it('tries no re-encoding of a body over the cap: a genuine one only verifies on its raw bytes', async () => {
    const big = { ref: 'refs/heads/x', padding: 'p'.repeat(MAX_REENCODED_BYTES) };
    const pretty = JSON.stringify(big, null, 2);
    const signature = await sign(SECRET, pretty);
    expect(await verifySignature(SECRET, pretty, signature, big)).toBe('raw');
    expect(await verifySignature(SECRET, JSON.stringify(big), signature, big)).toBeUndefined();
  });
});
