// One replica of the decision service as the bench runs it: the real service with the sample
// policies, on one request topic, over the transport given.
import type { JWK } from 'jose';
import type { AuditLog } from '../src/audit/audit-log.ts';
import { createDecisionSigner } from '../src/events/decision-signing.ts';
import { createStepTokenVerifier } from '../src/identity/verify-step-token.ts';
import type { DecryptionKeyring } from '../src/keys/decryption-keys.ts';
import { loadPolicySet } from '../src/policy/load-policy-set.ts';
import { DecisionLedger } from '../src/service/decision-ledger.ts';
import { DecisionTable } from '../src/service/decision-table.ts';
import { Metrics } from '../src/service/metrics.ts';
import { DEFAULT_REPLY_TEMPLATE } from '../src/service/reply-template.ts';
import { InMemoryRequestLimiter } from '../src/service/request-limits.ts';
import { startService } from '../src/service/serve.ts';
import type { RunningService } from '../src/service/service-options.ts';
import { tokenKeys } from '../src/service/token-keys.ts';
import { systemClock } from '../src/time.ts';
import type { Transport } from '../src/transport/transport.ts';
import type { Issuer } from '../test/peers/oidc/issuer.ts';
import { siteFacts } from '../test/support/bitbucket.ts';

const POLICY_DIR = new URL('../examples/policies', import.meta.url).pathname;

export interface ReplicaOptions {
  readonly issuer: Issuer;
  readonly key: JWK;
  readonly keyring: DecryptionKeyring;
  readonly concurrency: number;
}

/**
 * A replica: its own decisions ledger (a table of its own, tailing `${topic}-decisions`,
 * which every replica of `topic` shares, P2) over the transport given; with `audit`, every
 * decision goes through that audit trail.
 */
export async function startReplica(
  o: ReplicaOptions,
  over: Transport,
  topic: string,
  audit: AuditLog | undefined,
): Promise<RunningService> {
  const keyring = o.keyring;
  return startService({
    transport: over,
    topics: [topic],
    subscription: 'service',
    deadLetterTopic: (t) => `${t}-dlq`,
    replyTemplate: DEFAULT_REPLY_TEMPLATE,
    reservedTopics: [],
    ports: {
      tokenKeys: tokenKeys(keyring, { clock: systemClock, reload: async () => keyring, log: () => {} })
        .lookup,
      verifier: createStepTokenVerifier({
        issuers: [o.issuer.url],
        audiences: [o.issuer.audience],
        allowInsecureIssuer: true,
      }),
      policy: await loadPolicySet(POLICY_DIR).then((engine) => () => engine),
      signer: await createDecisionSigner(o.key),
      // Every decision recorded on, and read back from, a decisions topic of its own (P2).
      replay: await DecisionLedger.open({
        transport: over,
        topic: `${topic}-decisions`,
        table: new DecisionTable(300_000, systemClock),
        timeoutMs: 10_000,
        warn: () => {},
      }),
      clock: systemClock,
      // The bench sends many requests from one step: limits out of reach, measured elsewhere.
      limits: new InMemoryRequestLimiter(
        { perStep: 1_000_000, perRepositoryPerMinute: 100_000 },
        systemClock,
      ),
      decisionTtlMs: 300_000,
      ...(audit ? { audit } : {}),
      // The test world's Bitbucket over HTTP, cached as serve caches it.
      facts: { facts: await siteFacts(), openEnvironments: [] },
    },
    metrics: new Metrics(),
    concurrency: o.concurrency,
    decisionLog: () => {},
    log: () => {},
  });
}
