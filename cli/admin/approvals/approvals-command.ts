import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { signInWithDevice } from '../../../src/approvals/device-sign-in.ts';
import { cachedToken, keepToken } from '../../../src/approvals/token-cache.ts';
import { GateError } from '../../../src/errors.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource, Values } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { ACT_OPTIONS, APPROVER_OPTIONS } from './approvals-options.ts';

type Signed = Values<typeof APPROVER_OPTIONS>;

/** `approvals list`: what waits for people, with only the facts the service verified. */
export function listCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('approvals list', 'approvals', io.write, async () => {
    const o = mustRead(APPROVER_OPTIONS, { flags, env: io.env }, [], 'approvals options');
    const { requests } = (await call(o, await idToken(o, io), 'GET', '/requests')) as { requests: Listed[] };
    if (requests.length === 0) io.write('nothing is waiting for approval\n');
    for (const r of requests) io.write(describe(r));
    return EXIT.allowed;
  });
}

/** `approve <request-id>` and `reject <request-id> --comment …`. */
export function actCommand(kind: 'approve' | 'reject') {
  return (requestId: string, flags: OptionSource['flags'], io: Io): Promise<number> =>
    endThroughTable(kind, 'approvals', io.write, async () => {
      const o = mustRead(ACT_OPTIONS, { flags, env: io.env }, [], `${kind} options`);
      const token = await idToken(o, io);
      const { requests } = (await call(o, token, 'GET', '/requests')) as { requests: Listed[] };
      const request = requests.find((r) => r.requestId === requestId);
      if (request === undefined)
        throw new GateError('APPROVAL_REFUSED', `no request ${requestId} is waiting for approval`);
      const body = { requestDigest: request.requestDigest, decision: kind, comment: o.comment ?? '' };
      const answer = (await call(o, token, 'POST', `/requests/${encodeURIComponent(requestId)}`, body)) as {
        message: string;
      };
      io.write(`✔ ${answer.message}\n`);
      return EXIT.allowed;
    });
}

interface Listed {
  readonly requestId: string;
  readonly requestDigest: string;
  readonly link?: string;
  readonly action: string;
  readonly environment?: string;
  readonly repositoryUuid?: string;
  readonly pipeline?: {
    build: number;
    ref: string;
    branch?: string;
    tag?: string;
    commit: string;
    triggeredBy: string;
  };
  readonly approval: readonly { policy: string; groups: readonly string[]; count: number }[];
  readonly approvals: readonly (readonly string[])[];
  readonly expiresAt: string;
}

function describe(r: Listed): string {
  const p = r.pipeline;
  const ref = p
    ? `${p.branch ?? p.tag ?? p.ref} at ${p.commit.slice(0, 12)}, build ${p.build}, run by ${p.triggeredBy}`
    : 'no pipeline facts';
  const wants = r.approval
    .map((a, i) => `${r.approvals[i]?.length ?? 0} of ${a.count} from ${a.groups.join(' or ')} (${a.policy})`)
    .join('; ');
  return `${r.requestId}  ${r.action} ${r.environment ?? '?'}  repository ${r.repositoryUuid ?? '?'}\n  ${ref}\n  ${wants}; until ${r.expiresAt}${r.link ? `\n  ${r.link}` : ''}\n`;
}

/**
 * The cached ID token, or a new one from the device flow (RFC 8628), kept 0600 until it
 * expires. A cached token the service no longer accepts (its IdP rotated keys, the operator
 * changed the client) is dropped first, so the next command signs in again.
 */
async function idToken(o: Signed, io: Io): Promise<string> {
  const file = o.tokenCache ?? join(io.env.HOME ?? '.', '.cache', 'pulsar-gate', 'approver-token.json');
  const cached = await cachedToken(file, Date.now() / 1000);
  if (cached !== undefined) {
    const probe = await fetch(`${o.serviceUrl.replace(/\/+$/, '')}/approvals/api/requests`, {
      headers: { authorization: `Bearer ${cached}` },
      signal: AbortSignal.timeout(15_000),
    }).catch(() => undefined);
    if (probe?.status !== 403) return cached;
    await rm(file, { force: true });
  }
  const signedIn = await signInWithDevice({
    issuer: o.issuer,
    clientId: o.clientId,
    allowInsecure: o.allowInsecureIssuer,
    show: (uri, code) => io.write(`To sign in, open ${uri} and confirm the code ${code}\n`),
  });
  await keepToken(file, signedIn);
  return signedIn.idToken;
}

async function call(
  o: Signed,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const url = `${o.serviceUrl.replace(/\/+$/, '')}/approvals/api${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw new GateError('APPROVALS_UNREACHABLE', `cannot reach ${url}`, { cause });
  }
  const json = (await response.json().catch(() => ({}))) as { error?: string };
  if (response.status === 404 && json.error === undefined)
    throw new GateError(
      'APPROVALS_UNREACHABLE',
      `${url} serves no approvals: is APPROVER_ISSUER set on serve?`,
    );
  if (!response.ok)
    throw new GateError(
      'APPROVAL_REFUSED',
      `the service refused (${response.status}): ${json.error ?? 'no reason given'}`,
    );
  return json;
}
