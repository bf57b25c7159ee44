import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decidePush, MAX_JSON_DEPTH, nestedDeeperThan, parseBody, repositoryOf } from '../../engine/intake/payload.js';

/** Real GitHub deliveries, recorded upstream (copied verbatim with their provenance: test/fixtures/github-payloads/SOURCES.md). */
const PAYLOADS = new URL('../fixtures/github-payloads/', import.meta.url);
const rawPayload = (file: string): string => readFileSync(new URL(file, PAYLOADS), 'utf8');
const payload = (file: string): Record<string, unknown> => JSON.parse(rawPayload(file)) as Record<string, unknown>;

describe('parseBody: the delivery body as GitHub encodes it', () => {
  it('a JSON delivery parses to the payload object', () => {
    // Given a real push delivery sent as application/json
    const raw = rawPayload('drone-go-scm/push.json');
    // When the body is parsed
    const parsed = parseBody('application/json', raw);
    // Then it is the payload, with the pushed ref readable
    expect(parsed).toEqual({ ok: true, payload: JSON.parse(raw) });
    expect(parsed.ok && parsed.payload.ref).toBe('refs/heads/master');
  });

  it('a content type with a charset parameter is still JSON', () => {
    const raw = rawPayload('drone-go-scm/push.json');
    expect(parseBody('application/json; charset=utf-8', raw)).toEqual({ ok: true, payload: JSON.parse(raw) });
  });

  it('a form-urlencoded delivery (payload=<json>) parses to the same object as the JSON one', () => {
    // Given the same real delivery, once as JSON and once as GitHub's form encoding
    const raw = rawPayload('zulip/push__force_1_commit.json');
    const form = `payload=${encodeURIComponent(raw)}`;
    // When both are parsed
    const fromJson = parseBody('application/json', raw);
    const fromForm = parseBody('application/x-www-form-urlencoded', form);
    // Then they are the same payload
    expect(fromForm.ok).toBe(true);
    expect(fromForm).toEqual(fromJson);
  });

  it('malformed JSON is refused with 400', () => {
    const raw = rawPayload('drone-go-scm/push.json').slice(0, 200);
    const parsed = parseBody('application/json', raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.status).toBe(400);
    expect(!parsed.ok && parsed.message).toMatch(/malformed JSON/);
  });

  it('says where malformed JSON broke without quoting it back', () => {
    const parsed = parseBody('application/json', '{"ref": "<script>secret-looking-input</script>",');
    expect(parsed).toMatchObject({ ok: false, status: 400 });
    expect(!parsed.ok && parsed.message).not.toContain('secret-looking-input');
    const type = parseBody('text/<script>', '{}');
    expect(!type.ok && type.message).not.toContain('script');
  });

  it('refuses JSON nested deeper than any GitHub payload with 400, before parsing it', () => {
    // Given a real push with a 100k-deep object added
    const deep = `{"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)},${rawPayload('drone-go-scm/push.json').slice(1)}`;
    const parsed = parseBody('application/json', deep);
    expect(parsed).toMatchObject({ ok: false, status: 400 });
    expect(!parsed.ok && parsed.message).toMatch(/nested deeper than 64 levels/);
    // brackets inside strings (escaped quotes too) do not count; the real payloads pass
    expect(nestedDeeperThan(`{"m":"${'[{'.repeat(100)}\\"${'{'.repeat(100)}"}`, MAX_JSON_DEPTH)).toBe(false);
    expect(nestedDeeperThan(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`, MAX_JSON_DEPTH)).toBe(false);
    expect(nestedDeeperThan(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`, MAX_JSON_DEPTH)).toBe(true);
    expect(parseBody('application/json', rawPayload('octokit-webhooks/push/with-organization.payload.json')).ok).toBe(true);
  });

  it('a JSON array is refused with 400: a delivery is an object', () => {
    const raw = `[${rawPayload('drone-go-scm/push.json')}]`;
    const parsed = parseBody('application/json', raw);
    expect(parsed).toMatchObject({ ok: false, status: 400 });
  });

  it('an unsupported content type is refused with 415 and says what to use', () => {
    const parsed = parseBody('text/plain', rawPayload('drone-go-scm/push.json'));
    expect(parsed).toMatchObject({ ok: false, status: 415 });
    expect(!parsed.ok && parsed.message).toContain('application/json');
  });

  it('a form body without a payload field is refused with 400', () => {
    const parsed = parseBody('application/x-www-form-urlencoded', `data=${encodeURIComponent(rawPayload('drone-go-scm/push.json'))}`);
    expect(parsed).toMatchObject({ ok: false, status: 400 });
    expect(!parsed.ok && parsed.message).toMatch(/payload/);
  });
});

describe('repositoryOf: which repository a delivery is about', () => {
  it('is repository.full_name of a push', () => {
    expect(repositoryOf(payload('drone-go-scm/push.json'))).toBe('Codertocat/Hello-World');
    expect(repositoryOf(payload('zulip/push__force_1_commit.json'))).toBe('sbansal1999/zulip');
  });

  it('is undefined for an organisation ping, which names no repository', () => {
    expect(repositoryOf(payload('octokit-webhooks/ping/with-organization.payload.json'))).toBeUndefined();
  });
});

describe('decidePush: what a push asks greenci to do', () => {
  it('a branch push builds the pushed head, with who pushed and what the head commit says', () => {
    // Given GitHub's documented push of one commit to master
    const p = payload('drone-go-scm/push.json');
    // When greenci decides what to do with it
    const decision = decidePush(p);
    // Then it builds master at the pushed sha, and carries the details the emails show
    expect(decision).toEqual({
      kind: 'build',
      branch: 'master',
      after: '199eddf46df50de8d02e99bf1c5fdb4101338224',
      pusherName: 'Codertocat',
      pusherEmail: '21031067+Codertocat@users.noreply.github.com',
      headMessage: 'Update README',
      headAuthor: 'Codertocat',
      headAuthorEmail: '21031067+Codertocat@users.noreply.github.com',
      headUrl: 'https://github.com/Codertocat/Hello-World/compare/199eddf46df50de8d02e99bf1c5fdb4101338224',
    });
  });

  it('a force push builds the new head', () => {
    const decision = decidePush(payload('zulip/push__force_1_commit.json'));
    expect(decision).toMatchObject({
      kind: 'build',
      branch: 'temp',
      after: '971d76ca309446a9c20381f6271cea8a59b4e40a',
      pusherName: 'sbansal1999',
      headMessage: 'log: Add important.txt which is useful for logging errors.',
    });
  });

  it('pushing a new branch builds it', () => {
    expect(decidePush(payload('octokit-webhooks/push/with-new-branch.payload.json'))).toMatchObject({
      kind: 'build',
      branch: 'master',
      after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      headMessage: 'Initial commit',
    });
    // a new branch created from an existing commit: no commits in the push, but a head to build
    expect(decidePush(payload('drone-go-scm/push_branch_create.json'))).toMatchObject({
      kind: 'build',
      branch: 'feature-branch',
      after: 'd2b75aa7797ec26b088fa2dd527e9d2c052fcedd',
      headAuthor: 'Brad Rydzewski',
    });
  });

  it('deleting a branch is reported as a deletion of that branch, not a build', () => {
    expect(decidePush(payload('drone-go-scm/push_branch_delete.json'))).toEqual({ kind: 'deleted', branch: 'feature-branch' });
  });

  it('pushing or deleting a tag builds nothing', () => {
    expect(decidePush(payload('drone-go-scm/push_tag.json'))).toEqual({ kind: 'tag', ref: 'refs/tags/v0.0.1' });
    expect(decidePush(payload('octokit-webhooks/push/payload.json'))).toEqual({ kind: 'tag', ref: 'refs/tags/simple-tag' });
    expect(decidePush(payload('drone-go-scm/push_tag_delete.json'))).toEqual({ kind: 'tag', ref: 'refs/tags/v0.0.1' });
  });

  it('a head commit message with [skip ci] skips the build and names the marker', () => {
    // Given a real push whose head commit asks CI to skip it
    const p = payload('drone-go-scm/push.json');
    const head = p.head_commit as Record<string, unknown>;
    p.head_commit = { ...head, message: 'Update README [skip ci]\n\nonly docs' };
    // When greenci decides
    const decision = decidePush(p);
    // Then nothing is built, and the user can see why
    expect(decision).toEqual({ kind: 'skip-ci', branch: 'master', after: '199eddf46df50de8d02e99bf1c5fdb4101338224', marker: '[skip ci]' });
  });

  it('the skip marker is recognised whatever its case', () => {
    const p = payload('zulip/push__force_1_commit.json');
    p.head_commit = { ...(p.head_commit as Record<string, unknown>), message: 'wip [CI Skip]' };
    expect(decidePush(p)).toMatchObject({ kind: 'skip-ci', branch: 'temp', marker: '[ci skip]' });
  });
});
