// The decider's ports for bench/decision-stages.ts: as serve wires them, except the replay
// port, which keeps its decision table in memory (no decisions topic): the stage bench
// measures the work of a decision, bench/service.ts the whole service over a transport.
import type { JWK } from 'jose';
import type { BitbucketFacts } from '../src/bitbucket/facts.ts';
import { createDecisionSigner } from '../src/events/decision-signing.ts';
import type { PolicyEngine } from '../src/policy/types.ts';
import { DecisionTable } from '../src/service/decision-table.ts';
import type { DeciderPorts, ReplayPort, TokenVerifierPort } from '../src/service/ports.ts';
import { InMemoryRequestLimiter } from '../src/service/request-limits.ts';
import { systemClock } from '../src/time.ts';

export async function deciderPorts(parts: {
  readonly privateJwk: JWK;
  readonly lookup: DeciderPorts['tokenKeys'];
  readonly verifier: TokenVerifierPort;
  readonly facts: { readonly facts: BitbucketFacts; readonly openEnvironments: readonly string[] };
  readonly engine: PolicyEngine;
}): Promise<DeciderPorts> {
  const table = new DecisionTable(300_000, systemClock);
  const replay: ReplayPort = {
    withStep: (_step, task) => task(),
    check: (question) => table.check(question),
    record: async (record) => {
      table.apply(record);
      return { kind: 'recorded' };
    },
  };
  return {
    tokenKeys: parts.lookup,
    verifier: parts.verifier,
    policy: () => parts.engine,
    signer: await createDecisionSigner(parts.privateJwk),
    replay,
    // Limits out of reach: the bench sends many requests from one repository.
    limits: new InMemoryRequestLimiter(
      { perStep: 1_000_000, perRepositoryPerMinute: 1_000_000 },
      systemClock,
    ),
    clock: systemClock,
    decisionTtlMs: 300_000,
    facts: parts.facts,
  };
}
