import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';

/** Real recorded GitHub payloads, copied verbatim with their provenance (test/fixtures/github-payloads/SOURCES.md). */
export const PAYLOADS = path.resolve(import.meta.dirname, '..', 'fixtures', 'github-payloads');

export function payload(file: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(PAYLOADS, file), 'utf8')) as Record<string, any>;
}

/**
 * The recorded branch push (drone-go-scm/push.json) retargeted at our repository, branch and
 * commit. Everything else (pusher, head commit author and url) stays as GitHub sent it.
 */
export function pushPayload(o: { repo: string; branch: string; after: string; message?: string; deleted?: boolean }): Record<string, any> {
  const p = payload('drone-go-scm/push.json');
  p.ref = `refs/heads/${o.branch}`;
  p.after = o.deleted ? '0'.repeat(40) : o.after;
  p.deleted = o.deleted === true;
  p.repository.full_name = o.repo;
  if (o.deleted) p.head_commit = null;
  else {
    p.head_commit.id = o.after;
    if (o.message) p.head_commit.message = o.message;
  }
  return p;
}

export interface Delivery {
  event?: string;
  id?: string;
  /** A secret to sign with; `null` sends no signature. */
  secret?: string | null;
  /** Sign these bytes instead of the body (a forgery). */
  signBody?: string;
  contentType?: string;
}

/** POSTs a delivery the way GitHub does: raw body, X-GitHub-* headers, X-Hub-Signature-256. */
export async function deliver(
  url: string,
  body: string | Record<string, unknown>,
  d: Delivery = {},
): Promise<{ status: number; body: any; id: string }> {
  const id = d.id ?? randomUUID();
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': d.contentType ?? 'application/json',
    'x-github-event': d.event ?? 'push',
    'x-github-delivery': id,
    'user-agent': 'GitHub-Hookshot/test',
  };
  if (d.secret !== null) headers['x-hub-signature-256'] = await sign(d.secret ?? 'unused', d.signBody ?? raw);
  const res = await post(url, raw, headers);
  return { ...res, id };
}

export function post(url: string, raw: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(raw);
  });
}

/**
 * A recorded `pull_request` delivery (octokit-webhooks/pull_request/<action>.payload.json)
 * retargeted at our repository, pull request number and head. `fork`: the head lives in
 * another repository (`someone/<name>`).
 */
export function pullRequestPayload(o: {
  action: 'opened' | 'synchronize' | 'reopened' | 'closed' | 'labeled';
  repo: string;
  number: number;
  headSha: string;
  headRef: string;
  fork?: boolean;
}): Record<string, any> {
  const p = payload(`octokit-webhooks/pull_request/${o.action}.payload.json`);
  p.number = o.number;
  p.repository.full_name = o.repo;
  p.pull_request.number = o.number;
  p.pull_request.base.repo.full_name = o.repo;
  p.pull_request.head.sha = o.headSha;
  p.pull_request.head.ref = o.headRef;
  p.pull_request.head.repo.full_name = o.fork ? `someone/${o.repo.split('/')[1]}` : o.repo;
  return p;
}
