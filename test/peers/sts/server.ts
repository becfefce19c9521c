/**
 * A loopback AWS STS endpoint speaking the real Query protocol for AssumeRoleWithWebIdentity
 * (AWS STS API Reference): `POST /` with a form-encoded body, XML answers, AWS's
 * error codes and statuses. It verifies the web identity token against the issuer's published
 * keys and a trust policy, so the real `@aws-sdk/client-sts` can be pointed at it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type IssuedCredentials, issueCredentials, roleUniqueId } from './credentials.ts';
import { type FaultKind, faultError, StsError } from './errors.ts';
import { createVerifier, type ProviderDefinition } from './identity-provider.ts';
import { providerArn } from './policy-document.ts';
import type { StsCall, StsSession } from './records.ts';
import { readRequest, validateAction, validateRequest } from './request.ts';
import { checkSessionPolicy } from './session-policy.ts';
import { sessionTagsOf } from './session-tags.ts';
import { assumeRole, type RoleDefinition, readRoles, roleName } from './trust.ts';
import { errorXml, successXml } from './xml.ts';

export type { FaultKind, StsErrorCode } from './errors.ts';
export type { StsCall, StsSession } from './records.ts';
export type { RoleDefinition } from './trust.ts';

export type StsOptions = {
  issuers: ProviderDefinition[];
  roles: RoleDefinition[];
  /** The account holding the OIDC providers and the roles. Default 123456789012. */
  accountId?: string;
  /** How long to wait for the issuer's discovery document or JWKS. Default 5000 ms. */
  idpTimeoutMs?: number;
};

export type StsPeer = {
  endpoint: string;
  calls: ReadonlyArray<StsCall>;
  sessions: ReadonlyArray<StsSession>;
  issued: ReadonlyArray<IssuedCredentials>;
  failNext(count: number, kind: FaultKind): void;
  close(): Promise<void>;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSts(options: StsOptions): Promise<StsPeer> {
  const accountId = options.accountId ?? '123456789012';
  // Providers registered without a ClientIdList accept the short-form roles' audiences.
  const shortFormAudiences = options.roles.flatMap((role) => ('trust' in role ? [role.trust.aud] : []));
  const verify = createVerifier(options.issuers, shortFormAudiences, options.idpTimeoutMs ?? 5000);
  const roles = readRoles(
    options.roles,
    accountId,
    options.issuers.map((issuer) => issuer.url),
  );
  const roleIds = new Map(options.roles.map((role) => [role.arn, roleUniqueId()]));
  const calls: StsCall[] = [];
  const sessions: StsSession[] = [];
  const issued: IssuedCredentials[] = [];
  let faults: { count: number; kind: FaultKind } = { count: 0, kind: 'Throttling' };

  async function handle(params: URLSearchParams, call: StsCall): Promise<string> {
    if (faults.count > 0) {
      faults = { ...faults, count: faults.count - 1 };
      throw faultError(faults.kind);
    }
    validateAction(params);
    const request = readRequest(params);
    validateRequest(params, request);
    const token = await verify(request.token);
    call.subject = token.sub;
    call.audience = token.aud;
    const tags = sessionTagsOf(token.claims);
    const role = assumeRole(roles, accountId, request.roleArn, token, tags);
    const max = role.maxSessionDuration ?? 3600;
    if (request.durationSeconds > max) {
      throw new StsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        `${request.durationSeconds} s requested, role allows ${max} s`,
      );
    }
    const packedPolicySize = checkSessionPolicy(request.policy, request.policyArns);
    const credentials = issueCredentials();
    issued.push(credentials);
    const accountOfRole = role.arn.split(':')[4];
    // Whole seconds, as AWS's Expiration is printed (xml.ts), so a session matches the answer.
    const expiration = new Date(Math.floor(Date.now() / 1000 + request.durationSeconds) * 1000);
    // For OIDC, AWS reports the IAM OIDC provider's ARN: the issuer without its scheme.
    const provider = providerArn(accountId, token.iss);
    sessions.push({
      roleArn: role.arn,
      sessionName: request.sessionName,
      subject: token.sub,
      audience: token.aud,
      provider,
      tags: tags?.tags ?? {},
      transitiveTagKeys: tags?.transitiveTagKeys ?? [],
      expiration,
    });
    return successXml(
      {
        ...credentials,
        expiration,
        subject: token.sub,
        assumedRoleArn: `arn:aws:sts::${accountOfRole}:assumed-role/${roleName(role.arn)}/${request.sessionName}`,
        assumedRoleId: `${roleIds.get(role.arn)}:${request.sessionName}`,
        provider,
        audience: token.aud,
        ...(packedPolicySize === undefined ? {} : { packedPolicySize }),
      },
      randomUUID(),
    );
  }

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // STS accepts the query in a POST body (what the SDK sends) or in the URL of a GET.
    const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    const { token: _token, durationRequested: _d, ...recorded } = readRequest(params);
    const call: StsCall = { ...recorded, outcome: 'ok', at: new Date() };
    calls.push(call);
    try {
      const body = await handle(params, call);
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(body);
    } catch (caught) {
      const error =
        caught instanceof StsError
          ? caught
          : new StsError('InternalFailure', 'An internal error has occurred.', String(caught));
      call.outcome = error.code;
      call.reason = error.reason;
      res.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(errorXml(error, requestId));
    }
  }

  const server = createServer((req, res) => {
    respond(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    sessions,
    issued,
    failNext(count, kind) {
      faults = { count, kind };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
