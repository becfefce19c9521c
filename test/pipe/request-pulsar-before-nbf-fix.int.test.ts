// The documented failure on brokers older than apache/pulsar#25197 (3.0.16, 4.0.9, 4.1.3):
// Pulsar 4.0.8's OpenID Connect provider requires `nbf`, which Bitbucket's step tokens never
// carry, so it refuses them with 401 — and the pipe says what to do about it. The run's own
// broker is 3.0.16; this file starts a small 4.0.8 broker of its own and removes it after.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import { type Issuer, startIssuer } from '../peers/oidc/issuer.ts';
import { PULSAR_VERSION_REQUIRING_NBF } from '../peers/pulsar/distribution.ts';
import { groupMembers } from '../peers/pulsar/process-group.ts';
import { type StandaloneBroker, startStandalone } from '../peers/pulsar/standalone.ts';
import { ROLE_CLAIM } from '../peers/pulsar/with-identity.ts';
import { brokerInfo } from '../support/broker.ts';
import { type GateWorld, startGateWorld } from '../support/gate-world.ts';
import { runPipe } from '../support/run-pipe.ts';
import { topicName } from '../transport/contract.ts';

// Starting a second broker needs what the run's own distribution broker needed (Java, mvn).
const ownsDistribution = brokerInfo().kind === 'distribution';
if (!ownsDistribution)
  console.warn(
    `skipping: the Pulsar ${PULSAR_VERSION_REQUIRING_NBF} refusal test starts a distribution broker, and this run's broker is ${brokerInfo().kind}`,
  );

/** The same token with `nbf = iat` added, signed with the same key: all that 4.0.8 lacks. */
async function withNbf(issuer: Issuer, token: string): Promise<string> {
  const claims = decodeJwt(token);
  if (claims.iat === undefined) throw new Error('a Bitbucket-shaped token always has iat');
  const { kid } = decodeProtectedHeader(token);
  const key = await importJWK(await issuer.exportSigningKey(), 'RS256');
  return new SignJWT({ ...claims, nbf: claims.iat })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
    .sign(key);
}

describe.skipIf(!ownsDistribution)(
  `a Bitbucket-shaped step token (no nbf) against Pulsar ${PULSAR_VERSION_REQUIRING_NBF}`,
  () => {
    let issuer: Issuer;
    let broker: StandaloneBroker | undefined;
    let world: GateWorld | undefined;
    const topic = topicName('gates-nbf');

    // A cold cache downloads and unpacks this second distribution first (~1 min each).
    beforeAll(async () => {
      issuer = await startIssuer();
      broker = await startStandalone({
        version: PULSAR_VERSION_REQUIRING_NBF,
        openId: { issuers: [issuer.url], audiences: [issuer.audience], roleClaim: ROLE_CLAIM },
        heapMb: 256,
      });
      world = await startGateWorld({ issuer });
    }, 600_000);

    afterAll(async () => {
      await world?.close();
      const { pid, logFile } = broker ?? {};
      await broker?.stop();
      await issuer?.close();
      // Nothing of the second broker outlives this file: no process, no run directory.
      if (pid !== undefined) expect(await groupMembers(pid)).toEqual([]);
      if (logFile !== undefined) expect(existsSync(dirname(logFile))).toBe(false);
    });

    const webSocketUrl = (): string => {
      if (broker === undefined) throw new Error('the 4.0.8 broker did not start');
      return broker.webSocketUrl;
    };

    /** 'opened', or the GateError code the WebSocket API's answer became. */
    async function publisherWith(token: string): Promise<unknown> {
      const transport = new WebSocketTransport({ url: webSocketUrl(), token });
      try {
        return await transport.publisher(topic).then(
          () => 'opened',
          (error: unknown) => error,
        );
      } finally {
        await transport.close();
      }
    }

    it('the WebSocket API answers 401 to it, and authenticates the same claims with nbf', async () => {
      const token = await issuer.mint();
      expect(decodeJwt(token)).not.toHaveProperty('nbf');
      const refused = await publisherWith(token);
      expect(refused).toMatchObject({ code: 'PULSAR_AUTH' });
      expect(String(refused)).toContain('HTTP 401');
      // With nbf the token authenticates: 403, as its role has no grant on the topic.
      expect(await publisherWith(await withNbf(issuer, token))).toMatchObject({
        code: 'PULSAR_NOT_PERMITTED',
      });
    });

    it('the pipe exits 5 and names the fixed Pulsar releases and PULSAR_TOKEN', async () => {
      if (world === undefined) throw new Error('the gate world did not start');
      const cloneDir = await world.cloneDir();
      const env = await world.stepEnv({
        token: await issuer.mint(),
        cloneDir,
        variables: { ...world.stepVariables({ webSocketUrl: webSocketUrl() }, topic), TIMEOUT: '20' },
      });
      const run = await runPipe(env, { cwd: cloneDir });
      expect(run.code).toBe(5);
      expect(run.output).toContain('HTTP 401');
      expect(run.output).toContain('the step OIDC token has no nbf claim');
      expect(run.output).toMatch(
        /hint: .*3\.0\.16, 4\.0\.9, 4\.1\.3 or later.*PULSAR_TOKEN as a secured variable/,
      );
    });
  },
);
