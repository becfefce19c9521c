import { randomUUID } from 'node:crypto';
import { type Action, buildRequestEvent, type RequestEvent } from '../../src/events/request.ts';
import type { ReplyEncryptionKey } from '../../src/events/request-event.ts';
import { createRequestSigner, type SignedRequest } from '../../src/events/request-signing.ts';
import { sealStepToken } from '../../src/events/token-seal.ts';
import type { EncryptionKey } from '../../src/jose/encryption-key.ts';
import { registeredRun } from '../peers/bitbucket/site.ts';
import type { Issuer, MintOptions } from '../peers/oidc/issuer.ts';

export interface RequestOptions {
  readonly action?: Action;
  readonly environment?: string;
  readonly mint?: MintOptions;
  readonly token?: string;
  readonly replyTopic: string;
  readonly tag?: string;
  readonly time?: Date;
  readonly id?: string;
  /** Build the pipeline block from this token's claims instead (a request that lies about itself). */
  readonly pipelineFrom?: string;
  /** What the request declares about its run instead of what Bitbucket ran (a request that lies). */
  readonly declare?: { readonly branch?: string; readonly tag?: string; readonly commit?: string };
  /** The service's encryption key the token is sealed to, as the pipe does. */
  readonly sealTo: EncryptionKey;
  /** Carry this instead of the sealed token (an attacker's JWE, or none at all). */
  readonly identityTokenJwe?: string;
  /** Gate mode: the run's public encryption key, which the gate token is encrypted to. */
  readonly replyEncryptionKey?: ReplyEncryptionKey;
}

/** A signed request as the pipe builds it, for driving the service without the pipe process. */
export async function signedRequest(
  issuer: Issuer,
  options: RequestOptions,
): Promise<{ event: RequestEvent; signed: SignedRequest; token: string }> {
  // Minted as Bitbucket would: for the environment asked for and a run Bitbucket knows.
  const token =
    options.token ??
    (await issuer.mint({
      environment: options.environment ?? 'production',
      ...(options.tag === undefined ? {} : { tag: options.tag }),
      ...options.mint,
    }));
  const source = options.pipelineFrom ?? token;
  const claims = JSON.parse(Buffer.from(source.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    string | undefined
  >;
  const run = registeredRun(claims.repositoryUuid ?? '', claims.pipelineUuid ?? '');
  const now = options.time ?? new Date();
  const event = buildRequestEvent({
    ...(options.id ? { id: options.id } : {}),
    now,
    data: {
      action: options.action ?? 'deploy',
      environment: options.environment ?? 'production',
      pipeline: {
        workspace: 'acme',
        repository: 'acme/payments-api',
        ...(claims.repositoryUuid ? { repositoryUuid: claims.repositoryUuid } : {}),
        ...(claims.stepUuid ? { stepUuid: claims.stepUuid } : {}),
        ...(claims.branchName ? { branch: claims.branchName } : {}),
        ...(claims.deploymentEnvironmentUuid
          ? { deploymentEnvironmentUuid: claims.deploymentEnvironmentUuid }
          : {}),
        ...(options.tag ? { tag: options.tag } : {}),
        buildNumber: '1742',
        commit: run?.commit ?? '9fceb02d0ae598e95dc970b74767f19372d61af8',
        ...options.declare,
      },
      credentials: {
        roleArn: 'arn:aws:iam::123456789012:role/deploy-production',
        assumedRoleArn: `arn:aws:sts::123456789012:assumed-role/deploy-production/bitbucket-1742-${randomUUID().slice(0, 8)}`,
        sessionName: 'bitbucket-1742-a1b2c3d4',
        expiration: new Date(now.getTime() + 900_000).toISOString(),
        region: 'eu-west-1',
        durationSeconds: 900,
      },
      replyTopic: options.replyTopic,
      expiresAt: new Date(now.getTime() + 120_000).toISOString(),
      identityTokenJwe: options.identityTokenJwe ?? (await sealStepToken(token, options.sealTo)),
      ...(options.replyEncryptionKey ? { replyEncryptionKey: options.replyEncryptionKey } : {}),
    },
  });
  const signer = await createRequestSigner();
  return { event, signed: await signer.sign(event), token };
}
