import { createStepTokenVerifier } from '../../src/identity/verify-step-token.ts';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import type { PolicyEngine } from '../../src/policy/types.ts';
import { DecisionLedger } from '../../src/service/decision-ledger.ts';
import { DecisionTable } from '../../src/service/decision-table.ts';
import { startHttp } from '../../src/service/http.ts';
import { Metrics } from '../../src/service/metrics.ts';
import { InMemoryRequestLimiter } from '../../src/service/request-limits.ts';
import { startService } from '../../src/service/serve.ts';
import { announceKeySets } from '../../src/service/signing-keys.ts';
import { systemClock } from '../../src/time.ts';
import { openTransport } from '../../src/transport/open.ts';
import type { Io } from '../io.ts';
import type { OptionSource } from '../options/spec.ts';
import { endThroughTable } from '../outcome/end.ts';
import { EXIT } from '../outcome/exit.ts';
import { openApprovals, settlePorts } from './approvals-wiring.ts';
import { openAudit } from './audit-wiring.ts';
import { bitbucketFacts, followReviews } from './bitbucket-wiring.ts';
import { decisionLogWriter } from './decision-log-writer.ts';
import { openGateIssuer } from './gate-wiring.ts';
import { parseServeConfig } from './serve-config.ts';
import { pulsarCredential } from './serve-credential.ts';
import { openServiceKeys } from './serve-keys.ts';
import { reloadAll } from './serve-reload.ts';
import { ownTopics, reloadTopics, requestTopics } from './serve-topics.ts';

/**
 * `pulsar-gate-service serve`: the decision service. Runs until SIGTERM/SIGINT (graceful: finish
 * in-flight decisions, stop consuming, close); SIGHUP reloads the policy directory, the keys
 * and TOPICS (patterns listed again), and a reload that fails keeps what is in force.
 */
export async function serveCommand(
  flags: OptionSource['flags'],
  io: Io,
  signals: NodeJS.Process,
): Promise<number> {
  const log = (level: string, message: string) =>
    io.write(`${JSON.stringify({ time: new Date().toISOString(), level, message })}\n`);
  return endThroughTable('serve', 'serve', io.write, async () => {
    const config = parseServeConfig({ flags, env: io.env });
    // The policy set in force; SIGHUP replaces it whole (serve-reload.ts).
    const held: { current: PolicyEngine } = { current: await loadPolicySet(config.policyDir) };
    const { signer, checkpointSigner, keyring, readKeyring, signers } = await openServiceKeys(
      config,
      (message) => log('warn', message),
    );
    const verifier = createStepTokenVerifier({
      issuers: config.issuers,
      audiences: config.audiences,
      allowInsecureIssuer: config.allowInsecureIssuer,
    });
    const facts = await bitbucketFacts(config.bitbucket);
    const gate = config.gate && (await openGateIssuer(config.gate, systemClock.now));
    const token = await pulsarCredential(config, log);
    const transport = openTransport({ url: config.pulsarUrl, token: token.source });
    const reviewEvents = await followReviews(config.bitbucket, facts.reviews, transport, log);
    // P2 across replicas: every decision is recorded and read back on the decisions topic.
    const replay = await DecisionLedger.open({
      transport,
      topic: config.decisionsTopic,
      table: new DecisionTable(config.requestWindowSeconds * 1000, systemClock),
      timeoutMs: LEDGER_TIMEOUT_MS,
      warn: (message) => log('warn', message),
    });
    const audit =
      config.audit && (await openAudit(config.audit, { signer: checkpointSigner, transport, log }));
    if (!audit) log('warn', 'no audit trail: set STATE_DIR to keep one (docs/service.md, "Audit trail")');
    const metrics = new Metrics();
    if (audit) metrics.watchAuditBacklog(() => audit.backlog());
    const resolveTopics = requestTopics(config, token.source);
    const topics = await resolveTopics(config.topics);
    if (topics.length === 0) log('warn', 'TOPICS names no topic yet: add one and send SIGHUP');
    const decisionLog = decisionLogWriter(config.decisionLog, io.write);
    const writeDecision = decisionLog.write;
    const approvals =
      config.approvals &&
      (await openApprovals(config.approvals, {
        transport,
        signingKeyFile: config.signingKeyFile,
        policyDir: config.policyDir,
        allowInsecureIssuer: config.allowInsecureIssuer,
        settle: settlePorts({
          transport,
          signer,
          replay,
          audit,
          config,
          writeDecision,
          ...(gate ? { gateIssuer: gate.port } : {}),
        }),
        log,
      }));
    const service = await startService({
      transport,
      topics,
      subscription: config.subscription,
      deadLetterTopic: (topic) => `${topic}${config.deadLetterSuffix}`,
      replyTemplate: config.replyTemplate,
      reservedTopics: ownTopics(config),
      ports: {
        tokenKeys: keyring.lookup,
        verifier,
        policy: () => held.current,
        signer,
        replay,
        limits: new InMemoryRequestLimiter(config.limits, systemClock),
        clock: systemClock,
        decisionTtlMs: config.decisionTtlSeconds * 1000,
        ...(audit ? { audit } : {}),
        facts: { facts, openEnvironments: config.openEnvironments },
        ...(gate ? { gateIssuer: gate.port } : {}),
      },
      metrics,
      concurrency: config.concurrency,
      decisionLog: writeDecision,
      log,
      ...(approvals ? { pending: approvals.pending } : {}),
    });
    const http = await startHttp({
      host: config.httpHost,
      port: config.httpPort,
      metrics,
      // Not ready while the decisions topic cannot be read: nothing could be decided.
      ready: () => service.ready() && replay.healthy && (approvals?.desk.healthy ?? true),
      issuer: gate?.routes,
      approvals: approvals?.http,
    });
    log(
      'info',
      `serving ${topics.join(', ')} as ${config.subscription}; decisions on ${config.decisionsTopic}; audit trail ${audit ? `${audit.trail} (audited: ${config.audit?.auditedEnvironments.join(', ')})` : 'off'}; policy ${held.current.digest} (${held.current.policyIds.length} policies); signing key ${signer.kid}; encryption keys ${keyring.kids().join(', ')}; gate issuer ${gate ? `${config.gate?.issuer} (key ${gate.port.signingKey().kid})` : 'off'}; health ${http.url}/healthz`,
    );
    if (config.keysTopic !== undefined) {
      const count = await announceKeySets(transport, config.keysTopic, config.signingKeyFile);
      log('info', `announced ${count} key set${count === 1 ? '' : 's'} on ${config.keysTopic}`);
    }
    signals.on('SIGHUP', () =>
      reloadAll({
        policy: held,
        signingKeyFile: config.signingKeyFile,
        signers,
        gate,
        approvals: approvals || undefined,
        keyring,
        readKeyring,
        topics: () =>
          reloadTopics(service, () => resolveTopics(parseServeConfig({ flags, env: io.env }).topics), log),
        log,
      }),
    );
    await new Promise<void>((resolve) => {
      signals.once('SIGTERM', resolve);
      signals.once('SIGINT', resolve);
    });
    log('info', 'stopping: finishing in-flight decisions');
    await service.stop();
    await reviewEvents?.stop();
    // The final checkpoint goes out through the transport: close the trail first.
    await approvals?.close();
    await audit?.close();
    await replay.close();
    await transport.close();
    token.stop();
    await http.close();
    await decisionLog.end();
    log('info', `stopped after ${metrics.decisions} decisions`);
    return EXIT.allowed;
  });
}

/** A catch-up or a record's read-back slower than this fails the request, which is redelivered. */
const LEDGER_TIMEOUT_MS = 10_000;
