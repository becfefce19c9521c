// Issue 5 §1–2: the broker runs Pulsar's OpenID Connect provider and authorization; the pipe
// presents the step's own OIDC token (no PULSAR_TOKEN, no secret at all), and the broker's
// topic grants are what let a repository in — or keep it, and forged decisions, out. The tokens
// are shaped as Bitbucket issues them, without nbf: the broker (Pulsar 3.0.16) accepts that.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import type { MintOptions } from '../peers/oidc/claims.ts';
import type { Issuer } from '../peers/oidc/issuer.ts';
import { issuerForRepository } from '../peers/oidc/shared-issuer.ts';
import { OPENID_LEEWAY_SECONDS } from '../peers/pulsar/standalone-config.ts';
import { brokerInfo } from '../support/broker.ts';
import { type GateWorld, startGateWorld } from '../support/gate-world.ts';
import { grantRepository, grantService, roleToken, SERVICE_ROLE } from '../support/grants.ts';
import { runPipe } from '../support/run-pipe.ts';
import { type ServiceFixture, serviceFixture } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

const identity = brokerInfo().identity;
if (identity === undefined)
  console.warn('skipping: the broker was not started by this run, so it does not trust the test issuer');

describe.skipIf(identity === undefined)(
  'a zero-secret step against a broker with OIDC and authorization',
  () => {
    let issuer: Issuer;
    let world: GateWorld;
    let service: ServiceFixture;
    const topic = topicName('gates-oidc');
    const topics = { topic, replyTopic: `${topic}-replies`, decisionsTopic: `${topic}-decisions` };

    beforeAll(async () => {
      if (identity === undefined) return;
      issuer = await issuerForRepository(identity.bitbucket);
      world = await startGateWorld({ issuer });
      await grantService(topics);
      service = await serviceFixture({ issuer, token: await roleToken(SERVICE_ROLE), topic });
      await service.start(world.serviceKey, { encryptionKey: world.encryptionKey });
    });
    afterAll(async () => {
      await service?.close();
      await world?.close();
    });

    async function step(mint: MintOptions = {}) {
      const cloneDir = await world.cloneDir();
      // A deployment step for staging, the environment it asks for.
      const token = await issuer.mint({ environment: 'staging', ...mint });
      const claims = decodeJwt(token);
      expect(claims).not.toHaveProperty('nbf');
      const env = await world.stepEnv({
        token,
        cloneDir,
        variables: { ...world.stepVariables(brokerInfo(), topic), ENVIRONMENT: 'staging', TIMEOUT: '20' },
      });
      expect(env.PULSAR_TOKEN).toBeUndefined();
      return { ...(await runPipe(env, { cwd: cloneDir })), claims };
    }

    it('a repository without grants is refused by the broker: exit 5, naming role, topic and grant', async () => {
      const run = await step();
      expect(run.code).toBe(5);
      const role = issuer.repositoryUuid;
      expect(run.output).toContain(
        `✖ Pulsar: Pulsar refused role ${role} on ${topics.replyTopic}: grant it consume`,
      );
      expect(run.output).toContain(
        `hint: pulsar-admin topics grant-permission --role '${role}' --actions consume ${topics.replyTopic}`,
      );
      expect(service.decisions).toHaveLength(0);
    });

    it('consume without produce: exit 5 names the request topic and produce', async () => {
      await grantRepository(issuer.repositoryUuid, topics, 'consume');
      const run = await step();
      expect(run.code).toBe(5);
      expect(run.output).toContain(
        `Pulsar refused role ${issuer.repositoryUuid} on ${topic}: grant it produce on that topic`,
      );
    });

    it('a permitted repository passes end to end with no secret in any variable', async () => {
      await grantRepository(issuer.repositoryUuid, topics);
      const run = await step();
      expect(run.output).toMatch(/✔ Allowed by policy/);
      expect(run.code).toBe(0);
      expect(service.decisions.at(-1)?.verified?.repositoryUuid).toBe(issuer.repositoryUuid);
    });

    it("the broker itself refuses a decision published with a pipeline's token", async () => {
      const token = await issuer.mint();
      const forger = new WebSocketTransport({ url: brokerInfo().webSocketUrl, token });
      try {
        const attempt = forger.publisher(topics.replyTopic).then((p) => p.publish({ payload: 'forged' }));
        await expect(attempt).rejects.toMatchObject({
          code: 'PULSAR_NOT_PERMITTED',
          details: { topic: topics.replyTopic, action: 'produce' },
        });
      } finally {
        await forger.close();
      }
    });

    it('a token of an issuer the broker does not trust is refused as authentication (401)', async () => {
      const stranger = new WebSocketTransport({
        url: brokerInfo().webSocketUrl,
        token: await issuer.mint({ iss: 'https://bitbucket.example/not-trusted' }),
      });
      try {
        await expect(stranger.publisher(topic)).rejects.toMatchObject({ code: 'PULSAR_AUTH' });
      } finally {
        await stranger.close();
      }
    });

    it('a step that lists oidc audiences (aud an array) passes as well', async () => {
      // Granted above. Bitbucket puts the workspace's default audience first, then the step's.
      const run = await step({ audiences: ['https://pulsar.example.com'] });
      expect(run.claims.aud).toEqual([issuer.audience, 'https://pulsar.example.com']);
      expect(run.output).toMatch(/✔ Allowed by policy/);
      expect(run.code).toBe(0);
      expect(service.decisions.at(-1)?.verified?.sub).toBe(run.claims.sub);
    });

    it('the broker forgives clock skew up to openIDAcceptedTimeLeewaySeconds, and no more', async () => {
      // Authenticated but not granted produce on the reply topic: 403, not 401.
      const attempt = async (skewSeconds: number) => {
        const issuedAt = Math.floor(Date.now() / 1000) + skewSeconds;
        const ahead = new WebSocketTransport({
          url: brokerInfo().webSocketUrl,
          token: await issuer.mint({ issuedAt }),
        });
        try {
          return await ahead.publisher(topics.replyTopic).then(
            () => 'opened',
            (error: unknown) => (error instanceof GateError ? error.code : String(error)),
          );
        } finally {
          await ahead.close();
        }
      };
      expect(await attempt(OPENID_LEEWAY_SECONDS - 20)).toBe('PULSAR_NOT_PERMITTED');
      expect(await attempt(OPENID_LEEWAY_SECONDS + 60)).toBe('PULSAR_AUTH');
    });
  },
);
