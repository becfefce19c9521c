import { join } from 'node:path';
import { mustRead } from '../cli/options/read.ts';
import type { OptionSource, Problem, Rule } from '../cli/options/spec.ts';
import type { Action, PipelineContext } from '../src/events/request.ts';
import type { CredentialsMode } from '../src/gate/ports.ts';
import { parseTopic } from '../src/transport/topic.ts';
import { pipelineContext } from './pipeline-context.ts';
import { VARIABLES, withBitbucketLists } from './variables.ts';

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
  /** Where STS is called: AWS_REGION, else AWS_DEFAULT_REGION, else STS_DEFAULT_REGION. */
  readonly region: string;
  /** AWS_REGION as the step asked for it: the only region the outputs export. */
  readonly exportRegion: string | undefined;
  readonly credentialsMode: CredentialsMode;
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
  /** `json`: one outcome document on stdout for scripts; the step log goes to stderr. */
  readonly outputFormat: 'text' | 'json';
  readonly pipeline: PipelineContext;
}

type Variables = typeof VARIABLES;

/** Full topic names: short ones live in PULSAR_NAMESPACE; REPLY_TOPIC defaults to TOPIC-replies. */
function resolveTopics(
  namespace: string,
  topic: string,
  reply: string | undefined,
  keys: string | undefined,
): { topic: string; replyTopic: string; keysTopic: string | undefined } {
  const full = (name: string): string => parseTopic(name, namespace).full;
  const request = full(topic);
  return {
    topic: request,
    replyTopic: reply === undefined ? `${request}-replies` : full(reply),
    keysTopic: keys === undefined ? undefined : full(keys),
  };
}

/** The three topics are three different topics, once resolved. */
const distinctTopics: Rule<Variables> = (values) => {
  if (values.topic === undefined || values.pulsarNamespace === undefined) return [];
  const { topic, replyTopic, keysTopic } = resolveTopics(
    values.pulsarNamespace,
    values.topic,
    values.replyTopic,
    values.keysTopic,
  );
  const problems: Problem<Variables>[] = [];
  if (topic === replyTopic)
    problems.push({ key: 'replyTopic', issue: 'must differ from TOPIC', value: values.replyTopic });
  if (keysTopic !== undefined && (keysTopic === topic || keysTopic === replyTopic))
    problems.push({
      key: 'keysTopic',
      issue: 'must differ from TOPIC and REPLY_TOPIC',
      value: values.keysTopic,
    });
  return problems;
};

/**
 * Step mode: the credentials are assumed before the wait, so a wait as long as the session
 * would hand the rest of the step credentials that have already expired (issue 14).
 */
const waitWithinSession: Rule<Variables> = (values) =>
  values.credentials === 'step' &&
  values.timeoutSeconds !== undefined &&
  values.sessionDurationSeconds !== undefined &&
  values.timeoutSeconds >= values.sessionDurationSeconds
    ? [
        {
          key: 'timeoutSeconds',
          issue: `must be less than SESSION_DURATION (${values.sessionDurationSeconds}) with CREDENTIALS: step`,
          value: String(values.timeoutSeconds),
        },
      ]
    : [];

/** Where STS is called when the step names no region; never exported to the step. */
export const STS_DEFAULT_REGION = 'us-east-1';

/**
 * Validates every variable up front and reports all problems at once (exit 2), each on one
 * line naming the variable and what it accepts. `source` holds CLI flags and the step's
 * environment (pipe variables, BITBUCKET_*, the OIDC token).
 */
export function parseRequestConfig(source: OptionSource, cwd: string): RequestConfig {
  const env = withBitbucketLists(source.env);
  const v = mustRead(
    VARIABLES,
    { flags: source.flags, env },
    [distinctTopics, waitWithinSession],
    'pipe variables',
  );
  return Object.freeze({
    ...resolveTopics(v.pulsarNamespace, v.topic, v.replyTopic, v.keysTopic),
    pulsarUrl: v.pulsarUrl,
    roleArn: v.role,
    decisionKeys: v.decisionKeys,
    action: v.action,
    environment: v.environment,
    region: v.region ?? v.defaultRegion ?? STS_DEFAULT_REGION,
    exportRegion: v.region,
    credentialsMode: v.credentials,
    sessionDurationSeconds: v.sessionDurationSeconds,
    sessionPolicy: v.sessionPolicy,
    sessionPolicyArns: v.sessionPolicyArns,
    sessionName: v.sessionName,
    timeoutMs: v.timeoutSeconds * 1000,
    pulsarToken: v.pulsarToken,
    oidcToken: env.BITBUCKET_STEP_OIDC_TOKEN?.trim() || undefined,
    outputDir: v.outputDir ?? join(env.BITBUCKET_CLONE_DIR?.trim() || cwd, '.pulsar-gate'),
    stsEndpoint: v.stsEndpoint,
    debug: v.debug,
    outputFormat: v.outputFormat,
    pipeline: pipelineContext(env, v.environment),
  });
}
