import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Entry } from './book.ts';
import type { ApprovalDesk } from './desk.ts';
import type { ActRequest } from './judge.ts';
import { tally } from './tally.ts';

/** A request body bigger than this is no approval. */
const MAX_BODY_BYTES = 8 * 1024;

/**
 * The approvals API on serve's HTTP port, for `pulsar-gate-service approvals|approve|reject`:
 * `GET /approvals/api/requests` lists pending requests; `POST /approvals/api/requests/<id>`
 * with `{"requestDigest", "decision": "approve"|"reject", "comment"}` acts on one. The caller
 * proves who they are with their OIDC ID token as a Bearer token (RFC 6750 §2.1); the token is
 * verified and never stored, logged or forwarded. Responses are never cached (RFC 9111 §5.2.2.5).
 */
export async function approvalsApi(
  desk: ApprovalDesk,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  const send = (status: number, body: unknown): void => {
    response
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(`${JSON.stringify(body)}\n`);
  };
  const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) {
    response.setHeader('www-authenticate', 'Bearer realm="pulsar-gate approvals"');
    return send(401, { error: 'sign in: send your OIDC ID token as "Authorization: Bearer …"' });
  }
  if (path === '/approvals/api/requests' && request.method === 'GET') {
    // Only people the IdP vouches for see what waits: the facts name repositories and commits.
    if ((await desk.whoIs(token)) === undefined) return send(403, { error: 'your ID token was refused' });
    const now = desk.now();
    return send(200, {
      requests: (await desk.pending()).map((e) => summary(e, now, desk.link(e.opened.requestId))),
    });
  }
  const id = /^\/approvals\/api\/requests\/([^/]+)$/.exec(path)?.[1];
  if (id === undefined || request.method !== 'POST') return send(404, { error: 'no such endpoint' });
  const body = await readJson(request);
  const ask = actRequest(decodeURIComponent(id), body);
  if (typeof ask === 'string') return send(400, { error: ask });
  const result = await desk.act(token, ask);
  return result.ok
    ? send(200, { state: result.standing.state, message: result.message })
    : send(result.status, { error: result.reason });
}

/** Only verified facts: the step token's claims and what Bitbucket said, never what a request asked. */
export function summary(entry: Entry, now: number, link: string | undefined) {
  const { opened } = entry;
  const v = opened.facts.verified;
  const standing = tally(opened, entry.acts, now);
  return {
    requestId: opened.requestId,
    requestDigest: opened.requestDigest,
    link,
    action: opened.facts.asked.action,
    repositoryUuid: v?.repositoryUuid,
    environment: v?.environment?.name,
    pipeline: v?.pipeline,
    stepUuid: v?.stepUuid,
    policies: opened.policy.ids,
    approval: opened.approval,
    approvals:
      standing.state === 'pending'
        ? standing.progress.map((p) => p.approvers.map((a) => a.approver.name))
        : [],
    expiresAt: opened.expiresAt,
  };
}

function actRequest(requestId: string, body: unknown): ActRequest | string {
  if (typeof body !== 'object' || body === null)
    return 'send JSON: {"requestDigest", "decision": "approve"|"reject", "comment"}';
  const b = body as Record<string, unknown>;
  if (typeof b.requestDigest !== 'string')
    return 'requestDigest is required: the digest of the request you approve';
  if (b.decision !== 'approve' && b.decision !== 'reject') return 'decision must be "approve" or "reject"';
  const comment = typeof b.comment === 'string' ? b.comment : '';
  return { requestId, requestDigest: b.requestDigest, kind: b.decision, comment };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
