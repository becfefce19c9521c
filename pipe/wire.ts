import type { CredentialBroker } from '../src/credentials/credentials.ts';
import { deriveSessionName } from '../src/credentials/session-name.ts';
import type { StsBrokerOptions } from '../src/credentials/sts-broker.ts';
import type { GatePorts, GateRequest, StepLog } from '../src/gate/ports.ts';
import type { StepToken } from '../src/identity/step-token.ts';
import { loadTrustedKeys } from '../src/keys/load-trusted-keys.ts';
import { writeStepOutputs } from '../src/output/step-outputs.ts';
import { type Clock, systemClock } from '../src/time.ts';
import { openTransport } from '../src/transport/open.ts';
import type { RequestConfig } from './config.ts';

export const HEARTBEAT_MS = 15_000;
export const PROFILE = 'pulsar-gate';

/** The one place where the gate's ports are chosen and connected. */
export function wirePorts(config: RequestConfig, log: StepLog, clock: Clock = systemClock): GatePorts {
  const pulsarToken = config.pulsarToken ?? config.oidcToken;
  if (pulsarToken) log.secret(pulsarToken);
  return {
    credentials: lazyStsBroker({
      region: config.region,
      endpoint: config.stsEndpoint,
      // The exchange may not outlast the wait the user allowed for the whole gate.
      budgetMs: Math.min(60_000, config.timeoutMs),
      clock,
      onRetry: (line) => log.debug(line),
    }),
    transport: openTransport({
      url: config.pulsarUrl,
      token: pulsarToken,
      clock,
      // Keep reconnecting for as long as the pipe would wait for a decision.
      reconnectWindowMs: Math.max(config.timeoutMs, 15_000),
    }),
    // The signer's module loads when prepare asks for it, after the Pulsar connects have left.
    newSigner: async () => (await import('../src/events/request-signing.ts')).createRequestSigner(),
    trustedKeys: () => loadTrustedKeys(config.decisionKeys, {}),
    writeOutputs: (credentials, { gateTokenJwe: _sealed, ...decision }) =>
      writeStepOutputs({
        dir: config.outputDir,
        credentials,
        // The gate token has been exchanged: decision.json is the decision without it.
        decision,
        profile: PROFILE,
        region: config.exportRegion,
      }),
    clock,
    log,
  };
}

export function gateRequest(config: RequestConfig, token: StepToken): GateRequest {
  return {
    mode: config.credentialsMode,
    token,
    session: {
      roleArn: config.roleArn,
      sessionName:
        config.sessionName ??
        deriveSessionName({ buildNumber: config.pipeline.buildNumber, stepUuid: config.pipeline.stepUuid }),
      durationSeconds: config.sessionDurationSeconds,
      policy: config.sessionPolicy,
      policyArns: config.sessionPolicyArns,
    },
    region: config.region,
    action: config.action,
    environment: config.environment,
    pipeline: config.pipeline,
    topic: config.topic,
    replyTopic: config.replyTopic,
    keysTopic: config.keysTopic,
    timeoutMs: config.timeoutMs,
    heartbeatMs: HEARTBEAT_MS,
  };
}

/**
 * The AWS SDK is most of the bundle's start-up cost; load it only when the exchange starts,
 * by which time the Pulsar connection is already on its way (see run-gate.ts).
 */
function lazyStsBroker(options: StsBrokerOptions): CredentialBroker {
  return {
    assume: async (request) => {
      const { createStsBroker } = await import('../src/credentials/sts-broker.ts');
      return createStsBroker(options).assume(request);
    },
  };
}
