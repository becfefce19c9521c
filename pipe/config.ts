import { join } from 'node:path';
import type { Env } from '../cli/io.ts';
import { sessionNameProblem } from '../src/credentials/session-name.ts';
import { GateError } from '../src/errors.ts';
import { ACTIONS, type Action } from '../src/events/actions.ts';
import type { PipelineContext } from '../src/events/request.ts';
import { checkPolicy, integer, parseBoolean, pipelineContext, topicOf } from './config-fields.ts';
import { problem, type RawVariables, readList } from './variables.ts';

/** Everything `pulsar-gate request` needs, validated once and frozen. */
export interface RequestConfig {
  readonly pulsarUrl: string;
  readonly topic: string;
  readonly replyTopic: string;
  readonly keysTopic: string | undefined;
  readonly roleArn: string;
  readonly decisionKeys: string;
  readonly action: Action;
  readonly environment: string;
  readonly region: string;
  readonly sessionDurationSeconds: number;
  readonly sessionPolicy: string | undefined;
  readonly sessionPolicyArns: readonly string[];
  readonly sessionName: string | undefined;
  readonly timeoutMs: number;
  readonly pulsarToken: string | undefined;
  readonly oidcToken: string | undefined;
  readonly outputDir: string;
  readonly stsEndpoint: string | undefined;
  readonly debug: boolean;
  readonly pipeline: PipelineContext;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ENVIRONMENT = /^[\w .-]{1,64}$/;

/**
 * Validates every variable up front and reports all problems at once (exit 2), each on one
 * line naming the variable and what it accepts. `raw` holds CLI flags over pipe variables;
 * `env` is the step's environment (BITBUCKET_*, the OIDC token).
 */
export function parseRequestConfig(raw: RawVariables, env: Env, cwd: string): RequestConfig {
  const problems: string[] = [];
  const need = (name: keyof RawVariables): string => {
    const value = raw[name]?.trim() ?? '';
    if (value === '') problems.push(problem(name, 'is required'));
    return value;
  };
  const pulsarUrl = need('PULSAR_URL');
  if (pulsarUrl && !/^(wss?|https?|pulsar(\+ssl)?):\/\/[^/\s]+/i.test(pulsarUrl)) {
    problems.push(problem('PULSAR_URL', 'is not a supported URL', pulsarUrl));
  }
  const namespace = raw.PULSAR_NAMESPACE?.trim() || 'public/default';
  if (!/^[\w=:.-]+\/[\w=:.-]+$/.test(namespace))
    problems.push(problem('PULSAR_NAMESPACE', 'is not TENANT/NAMESPACE', namespace));
  const topic = topicOf('TOPIC', need('TOPIC'), namespace, problems);
  const replyRaw = raw.REPLY_TOPIC?.trim() || (topic ? `${topic}-replies` : '');
  const replyTopic = replyRaw ? topicOf('REPLY_TOPIC', replyRaw, namespace, problems) : '';
  if (topic && topic === replyTopic)
    problems.push(problem('REPLY_TOPIC', 'must differ from TOPIC', replyRaw));
  const keysRaw = raw.KEYS_TOPIC?.trim();
  const keysTopic = keysRaw ? topicOf('KEYS_TOPIC', keysRaw, namespace, problems) : undefined;
  if (keysTopic !== undefined && (keysTopic === topic || keysTopic === replyTopic))
    problems.push(problem('KEYS_TOPIC', 'must differ from TOPIC and REPLY_TOPIC', keysRaw));

  const roleArn = raw.ROLE?.trim() || env.AWS_OIDC_ROLE_ARN?.trim() || need('ROLE');
  if (roleArn && !ROLE_ARN.test(roleArn)) problems.push(problem('ROLE', 'is not an IAM role ARN', roleArn));
  const decisionKeys = need('DECISION_KEYS');

  const action = (raw.ACTION?.trim() || 'deploy') as Action;
  if (!ACTIONS.includes(action)) problems.push(problem('ACTION', 'is not a known action', raw.ACTION));
  const environment = raw.ENVIRONMENT?.trim() || env.BITBUCKET_DEPLOYMENT_ENVIRONMENT?.trim() || '';
  if (!environment)
    problems.push(problem('ENVIRONMENT', 'is required when the step has no deployment environment'));
  else if (!ENVIRONMENT.test(environment))
    problems.push(problem('ENVIRONMENT', 'has characters it may not use', environment));

  const region = raw.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1';
  if (!REGION.test(region)) problems.push(problem('AWS_REGION', 'is not an AWS region', region));
  const sessionDurationSeconds = integer(
    'SESSION_DURATION',
    raw.SESSION_DURATION,
    900,
    900,
    43_200,
    problems,
  );
  const timeoutSeconds = integer('TIMEOUT', raw.TIMEOUT, 600, 1, 43_200, problems);

  const sessionPolicy = raw.SESSION_POLICY?.trim() || undefined;
  if (sessionPolicy !== undefined) checkPolicy(sessionPolicy, problems);
  const arnList = readList(env, 'SESSION_POLICY_ARNS') ?? (raw.SESSION_POLICY_ARNS ?? '').split(',');
  const sessionPolicyArns = arnList.map((arn) => arn.trim()).filter(Boolean);
  if (sessionPolicyArns.length > 10)
    problems.push(problem('SESSION_POLICY_ARNS', `lists ${sessionPolicyArns.length} ARNs`));
  for (const arn of sessionPolicyArns) {
    if (!POLICY_ARN.test(arn))
      problems.push(problem('SESSION_POLICY_ARNS', 'holds a value that is not a policy ARN', arn));
  }
  const sessionName = raw.SESSION_NAME?.trim() || undefined;
  const nameProblem = sessionName === undefined ? undefined : sessionNameProblem(sessionName);
  if (nameProblem) problems.push(problem('SESSION_NAME', nameProblem, sessionName));

  const stsEndpoint = raw.AWS_ENDPOINT_URL_STS?.trim() || undefined;
  if (stsEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(stsEndpoint)) {
    problems.push(problem('AWS_ENDPOINT_URL_STS', 'is not an http(s) URL', stsEndpoint));
  }
  const debug = parseBoolean(raw.DEBUG);
  if (debug === undefined) problems.push(problem('DEBUG', 'is not a boolean', raw.DEBUG));
  const cloneDir = env.BITBUCKET_CLONE_DIR?.trim() || cwd;
  const outputDir = raw.OUTPUT_DIR?.trim() || join(cloneDir, '.pulsar-gate');

  if (problems.length > 0) {
    throw new GateError('CONFIG_INVALID', problems.join('\n'), { details: { path: 'pipe variables' } });
  }
  return Object.freeze({
    pulsarUrl,
    topic,
    replyTopic,
    keysTopic,
    roleArn,
    decisionKeys,
    action,
    environment,
    region,
    sessionDurationSeconds,
    sessionPolicy,
    sessionPolicyArns: Object.freeze(sessionPolicyArns),
    sessionName,
    timeoutMs: timeoutSeconds * 1000,
    pulsarToken: raw.PULSAR_TOKEN?.trim() || undefined,
    oidcToken: env.BITBUCKET_STEP_OIDC_TOKEN?.trim() || undefined,
    outputDir,
    stsEndpoint,
    debug: debug ?? false,
    pipeline: pipelineContext(env, environment),
  });
}
