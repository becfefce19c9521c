// A gate-mode request and a gate issuer (issue 14), for the tests of the grant and of the
// signed decision that carries it.
import type { StepFacts } from '../../src/bitbucket/facts.ts';
import type { VerifiedStep } from '../../src/decision/decision-facts.ts';
import { buildRequestEvent } from '../../src/events/request.ts';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { importSigningKey } from '../../src/jose/signing-key.ts';
import { generateGateKeySet } from '../../src/keys/service-keys.ts';
import type { GateIssuerPort } from '../../src/service/gate-grant.ts';
import { NOW, requestData } from '../events/fixtures.ts';

export const CLAIMS: VerifiedStep = {
  iss: 'https://issuer.example',
  sub: '{repo}:{env}:{step}',
  workspaceUuid: '{11111111-1111-4111-8111-111111111111}',
  repositoryUuid: '{22222222-2222-4222-8222-222222222222}',
  stepUuid: '{step}',
};

/** The environment `slug`, as established at Bitbucket. */
export const facts = (slug: string): StepFacts => ({
  environment: { uuid: '{env}', name: slug, slug, type: 'Production', source: 'bitbucket-api' },
});

/** A run's reply key, a gate issuer with a fresh key set, and a gate-mode request of that run. */
export async function gateWorld() {
  const run = await generateRunEncryptionKey();
  const issuer: GateIssuerPort = {
    issuer: 'https://gate.example.com',
    signingKey: () => signing,
    lifetimeSeconds: 300,
  };
  const signing = await importSigningKey((await generateGateKeySet()).current, 'gate');
  const event = buildRequestEvent({
    now: NOW,
    data: { ...requestData(), replyEncryptionKey: run.publicJwk },
  });
  return { run, issuer, event };
}
