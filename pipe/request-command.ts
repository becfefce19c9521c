import { relative } from 'node:path';
import type { Io } from '../cli/io.ts';
import type { OptionSource } from '../cli/options/spec.ts';
import { EXIT } from '../cli/outcome/exit.ts';
import { runGate } from '../src/gate/run-gate.ts';
import { readStepToken } from '../src/identity/step-token.ts';
import { preloadJose } from '../src/jose/load.ts';
import { parseRequestConfig, type RequestConfig } from './config.ts';
import { reportFailure } from './failure-report.ts';
import { allowedDocument } from './outcome-document.ts';
import { leaveOutcome } from './outcome-file.ts';
import { type PulsarIdentity, pulsarIdentity } from './pulsar-refusal.ts';
import { createStepLog } from './step-log.ts';
import { gateRequest, wirePorts } from './wire.ts';

/**
 * `pulsar-gate request`: what the pipe runs. Returns the exit code (README, "Details"); every
 * failure ends in one ✖ line naming what failed, where, and what to do.
 */
export async function requestCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  // jose reads the step token below and later signs and verifies: start loading it now, while
  // the configuration is parsed, rather than when the token is read.
  preloadJose();
  // OUTPUT_FORMAT=json: stdout carries one outcome document; the step log moves to stderr.
  // Peeked here so that even a configuration problem is reported as a document.
  const json = String(flags.output ?? io.env.OUTPUT_FORMAT ?? '').trim() === 'json';
  const logTo = json ? (io.writeLog ?? io.write) : io.write;
  const early = createStepLog(logTo, false);
  const token = io.env.BITBUCKET_STEP_OIDC_TOKEN;
  if (token) early.secret(token);
  // Problem lines never show a secret; this also covers whatever else might print before parsing.
  for (const given of [io.env.PULSAR_TOKEN, flags.pulsarToken])
    if (typeof given === 'string' && given.trim()) early.secret(given.trim());
  let log = early;
  let transport: { close(): Promise<void> } | undefined;
  let who: PulsarIdentity | undefined;
  let config: RequestConfig | undefined;
  const started = Date.now();
  try {
    config = parseRequestConfig({ flags, env: io.env }, io.cwd);
    log = createStepLog(logTo, config.debug);
    if (token) log.secret(token);
    if (config.pulsarToken) log.secret(config.pulsarToken);
    const stepToken = await readStepToken(config.oidcToken);
    who = await pulsarIdentity(config.pulsarToken, stepToken);
    log.info(`pulsar-gate: ${config.action} to ${config.environment} as ${stepToken.claims.sub}`);
    log.debug(
      `token issuer ${stepToken.claims.iss}, audience ${String(stepToken.claims.aud)}, expires ${new Date(stepToken.claims.exp * 1000).toISOString()}`,
    );
    log.debug(
      `topic ${config.topic}, reply topic ${config.replyTopic}, Pulsar ${config.pulsarUrl.replace(/\?.*$/, '')}`,
    );
    const ports = wirePorts(config, log);
    transport = ports.transport;
    const result = await runGate(ports, gateRequest(config, stepToken));
    const policy = result.decision.policy.ids.join(', ') || 'unnamed policy';
    const dir = relative(io.cwd, result.outputs.dir) || '.';
    log.info(
      `✔ Allowed by policy ${policy} (request ${result.requestId}, ${(result.elapsedMs / 1000).toFixed(1)} s)`,
    );
    log.info(`  Credentials for ${result.assumedRoleArn} until ${result.expiration.toISOString()}:`);
    log.info(`    source ${dir}/aws.env`);
    log.info(`    or AWS_SHARED_CREDENTIALS_FILE=${dir}/credentials AWS_PROFILE=${result.outputs.profile}`);
    const document = allowedDocument(result, io.cwd, Date.now() - started);
    await leaveOutcome(config.outputDir, document, log);
    if (json) io.write(`${JSON.stringify(document)}\n`);
    return EXIT.allowed;
  } catch (error) {
    const ended = reportFailure(error, log, started, who, config?.credentialsMode);
    // After the configuration was read, every verdict leaves outcome.json (issue 14).
    if (config) await leaveOutcome(config.outputDir, ended.document, log);
    if (json) io.write(`${JSON.stringify(ended.document)}\n`);
    return ended.exitCode;
  } finally {
    await transport?.close().catch(() => {});
  }
}
