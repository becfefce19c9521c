import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { type Issuer, startIssuer } from '../peers/oidc/issuer.ts';
import { type StsPeer, startSts } from '../peers/sts/server.ts';
import { siteServeEnv } from './bitbucket.ts';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy-production';

export interface GateWorld {
  readonly issuer: Issuer;
  readonly sts: StsPeer;
  readonly serviceKey: JWK;
  /** What a `serve` process needs to look this world's steps up at its Bitbucket. */
  readonly bitbucket: Readonly<Record<string, string>>;
  /** The service's private encryption key: what the step tokens pipes send are sealed to. */
  readonly encryptionKey: JWK;
  readonly decisionKeys: string;
  /** The pipe variables of a run against this world and `broker` on `topic`. */
  pipeVariables(
    broker: { webSocketUrl: string; adminToken?: string | undefined },
    topic: string,
  ): Record<string, string>;
  /** The same, as a zero-secret step runs it: no PULSAR_TOKEN, the step token goes to Pulsar. */
  stepVariables(broker: { webSocketUrl: string }, topic: string): Record<string, string>;
  /** A fresh clone directory, as Bitbucket mounts one into a pipe. */
  cloneDir(): Promise<string>;
  /** The environment a Bitbucket step gives the pipe, with the pipe variables on top. */
  stepEnv(options: {
    token?: string | null | undefined;
    cloneDir: string;
    variables: Record<string, string>;
  }): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * The test peers (issuer, STS) plus a decision key, all on loopback. `issuer`: mint
 * for this one instead of a fresh issuer (the broker's shared issuer, see shared-issuer.ts).
 */
export async function startGateWorld(options: { issuer?: Issuer } = {}): Promise<GateWorld> {
  const issuer = options.issuer ?? (await startIssuer());
  const sts = await startSts({
    issuers: [{ url: issuer.url, clientIds: [issuer.audience] }],
    roles: [
      {
        arn: ROLE_ARN,
        trust: { aud: issuer.audience, sub: `${issuer.repositoryUuid}:*` },
        maxSessionDuration: 3600,
      },
    ],
  });
  const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
  const bitbucket = await siteServeEnv();
  const dirs: string[] = [];
  const variablesFor = (
    broker: { webSocketUrl: string; adminToken?: string | undefined },
    topic: string,
  ): Record<string, string> => ({
    PULSAR_URL: broker.webSocketUrl,
    TOPIC: topic,
    ROLE: ROLE_ARN,
    DECISION_KEYS: JSON.stringify(publicJwks),
    ...(broker.adminToken ? { PULSAR_TOKEN: broker.adminToken } : {}),
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_REGION: 'eu-west-1',
    TIMEOUT: '30',
    // These runs answer with test responders and roles that trust the step token: the
    // advisory mode. Gate mode runs against `serve` (test/gate/*.int.test.ts) set `gate`.
    CREDENTIALS: 'step',
  });
  return {
    issuer,
    sts,
    serviceKey: privateJwk,
    bitbucket,
    encryptionKey: encryptionJwk,
    decisionKeys: JSON.stringify(publicJwks),
    pipeVariables: (broker, topic) => variablesFor(broker, topic),
    stepVariables: (broker, topic) => {
      const { PULSAR_TOKEN: _admin, ...variables } = variablesFor(broker, topic);
      return variables;
    },
    cloneDir: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-clone-'));
      dirs.push(dir);
      return dir;
    },
    stepEnv: async ({ token, cloneDir, variables }) => {
      // null: a step without `oidc: true`, so no BITBUCKET_STEP_OIDC_TOKEN at all. Otherwise
      // a deployment step for the environment the step asks for, as Bitbucket would run it.
      const minted = token ?? (await issuer.mint({ environment: variables.ENVIRONMENT ?? 'production' }));
      const env = issuer.stepEnvironment(minted, {
        BITBUCKET_CLONE_DIR: cloneDir,
        ...(token === null ? { BITBUCKET_STEP_OIDC_TOKEN: undefined } : {}),
      });
      return { ...env, ...variables };
    },
    close: async () => {
      await Promise.allSettled([
        options.issuer === undefined ? issuer.close() : Promise.resolve(),
        sts.close(),
        ...dirs.map((d) => rm(d, { recursive: true, force: true })),
      ]);
    },
  };
}
