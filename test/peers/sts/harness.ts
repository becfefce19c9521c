/**
 * Shared setup for the STS peer tests: an issuer, an STS peer trusting it, and the real
 * `@aws-sdk/client-sts` pointed at the peer with no AWS configuration from the machine.
 */
import {
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandInput,
  type AssumeRoleWithWebIdentityCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts';
import { type Issuer, startIssuer } from '../oidc/issuer.ts';
import { type StsPeer, startSts } from './server.ts';

export const ACCOUNT = '123456789012';
export const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy-production`;
export const OTHER_AUD_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci/other-audience`;
export const LONG_ROLE = `arn:aws:iam::${ACCOUNT}:role/long-sessions`;
export const FOREIGN_ROLE = 'arn:aws:iam::999999999999:role/deploy-production';

export type Harness = {
  issuer: Issuer;
  /** Registered with the peer, but its JWKS is not fetched until a test uses it. */
  coldIssuer: Issuer;
  sts: StsPeer;
  client(): STSClient;
  assume(
    input: Partial<AssumeRoleWithWebIdentityCommandInput>,
    client?: STSClient,
  ): Promise<AssumeRoleWithWebIdentityCommandOutput>;
  close(): Promise<void>;
};

/** The SDK must not pick up credentials, profiles or endpoints from the machine running the tests. */
export function isolateFromAwsConfig(): () => void {
  const saved = Object.entries(process.env).filter(([name]) => name.startsWith('AWS_'));
  for (const [name] of saved) delete process.env[name];
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws/credentials';
  return () => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    for (const [name, value] of saved) process.env[name] = value;
  };
}

export async function startHarness(): Promise<Harness> {
  const restoreEnv = isolateFromAwsConfig();
  const issuer = await startIssuer();
  const coldIssuer = await startIssuer({ workspace: 'cold' });
  const sts = await startSts({
    issuers: [{ url: issuer.url }, { url: coldIssuer.url, clientIds: [coldIssuer.audience] }],
    roles: [
      {
        arn: DEPLOY_ROLE,
        trust: {
          aud: issuer.audience,
          sub: `${issuer.repositoryUuid}:${issuer.deploymentEnvironmentUuid}:*`,
        },
      },
      { arn: OTHER_AUD_ROLE, trust: { aud: 'sts.amazonaws.com' } },
      {
        arn: LONG_ROLE,
        trust: { aud: issuer.audience, sub: `${issuer.repositoryUuid}:*` },
        maxSessionDuration: 43200,
      },
      { arn: FOREIGN_ROLE, trust: { aud: issuer.audience } },
      { arn: `arn:aws:iam::${ACCOUNT}:role/cold`, trust: { aud: coldIssuer.audience } },
    ],
    accountId: ACCOUNT,
    idpTimeoutMs: 300,
  });
  const client = () => new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint });
  const shared = client();
  return {
    issuer,
    coldIssuer,
    sts,
    client,
    assume: async (input, via = shared) =>
      via.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: DEPLOY_ROLE,
          RoleSessionName: 'pulsar-gate-test',
          WebIdentityToken: input.WebIdentityToken ?? (await issuer.mint()),
          ...input,
        }),
      ),
    async close() {
      shared.destroy();
      await Promise.all([sts.close(), issuer.close(), coldIssuer.close()]);
      restoreEnv();
    },
  };
}

export type SdkError = Error & { $metadata: { attempts?: number; httpStatusCode?: number } };

/** The rejection of a call, for assertions on the SDK's error name, class and metadata. */
export async function rejection(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error && '$metadata' in error) return error as SdkError;
    throw error;
  }
  throw new Error('expected the call to fail');
}
