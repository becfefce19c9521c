import type { Env } from '../cli/io.ts';
import { boolean, integer, matching, oneOf, pulsarUrl, text, topic, url } from '../cli/options/parsers.ts';
import { options } from '../cli/options/spec.ts';
import { ACTIONS } from '../src/events/actions.ts';
import { policyArns, sessionName, sessionPolicy } from './variable-parsers.ts';

const AWS_REGION = matching(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'is not an AWS region');

/**
 * The pipe variables (docs/design.md §5), each with its CLI flag, parser and what it accepts. The
 * table drives parsing (cli/options/read.ts), `--help` and the README's variables table
 * (test/pipe/variables-readme.test.ts holds them together), so they cannot drift apart.
 */
export const VARIABLES = options({
  pulsarUrl: {
    env: 'PULSAR_URL',
    flag: '--pulsar-url',
    required: true,
    parse: pulsarUrl,
    accepts: 'a ws://, wss://, http://, https://, pulsar:// or pulsar+ssl:// URL',
  },
  topic: {
    env: 'TOPIC',
    flag: '--topic',
    required: true,
    parse: topic,
    accepts: 'NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME',
  },
  role: {
    env: 'ROLE',
    alsoEnv: ['AWS_OIDC_ROLE_ARN'],
    flag: '--role',
    required: true,
    parse: matching(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'is not an IAM role ARN'),
    accepts: 'an IAM role ARN (AWS_OIDC_ROLE_ARN is accepted too)',
  },
  // Public keys, so not a secret; an inline set is longer than any value a problem echoes.
  decisionKeys: {
    env: 'DECISION_KEYS',
    flag: '--decision-keys',
    required: true,
    parse: text,
    accepts:
      'the decision service public JWKS (signing keys and one encryption key): inline JSON, a file path or an https URL',
  },
  replyTopic: {
    env: 'REPLY_TOPIC',
    flag: '--reply-topic',
    parse: topic,
    // The service answers only on the topic its REPLY_TOPIC_TEMPLATE derives from TOPIC
    // (issue 13): listening anywhere else waits out TIMEOUT.
    accepts:
      'a topic name like TOPIC: where the decision service answers (its REPLY_TOPIC_TEMPLATE applied to TOPIC)',
    defaultText: 'TOPIC + "-replies" (the service\'s default template)',
  },
  keysTopic: {
    env: 'KEYS_TOPIC',
    flag: '--keys-topic',
    parse: topic,
    accepts: 'the topic where the decision service announces rotated key sets (DECISION_KEYS stays the root)',
    defaultText: 'none: DECISION_KEYS alone is trusted',
  },
  pulsarNamespace: {
    env: 'PULSAR_NAMESPACE',
    flag: '--pulsar-namespace',
    parse: matching(/^[\w=:.-]{1,255}\/[\w=:.-]{1,255}$/, 'is not TENANT/NAMESPACE'),
    fallback: 'public/default',
    accepts: 'TENANT/NAMESPACE for short topic names',
  },
  action: {
    env: 'ACTION',
    flag: '--action',
    parse: oneOf(ACTIONS),
    fallback: 'deploy',
    accepts: 'deploy, provision, access-grant or artifact-delivery',
  },
  environment: {
    env: 'ENVIRONMENT',
    alsoEnv: ['BITBUCKET_DEPLOYMENT_ENVIRONMENT'],
    flag: '--environment',
    required: 'when the step has no deployment environment',
    parse: matching(/^[\w .-]{1,64}$/, 'has characters it may not use'),
    accepts: '1–64 letters, digits, spaces and _ . -',
    defaultText: '$BITBUCKET_DEPLOYMENT_ENVIRONMENT',
  },
  credentials: {
    env: 'CREDENTIALS',
    flag: '--credentials',
    parse: oneOf(['gate', 'step'] as const),
    fallback: 'gate',
    accepts:
      'gate (AWS credentials only from the gate token of a verified allow: the gate holds) or step (the step token is exchanged before the wait: advisory)',
  },
  // No fallback that would be written over the step's own AWS_DEFAULT_REGION (issue 14).
  region: {
    env: 'AWS_REGION',
    flag: '--aws-region',
    parse: AWS_REGION,
    accepts: 'an AWS region such as eu-west-1: exported to the step as AWS_REGION and AWS_DEFAULT_REGION',
    defaultText: 'none: STS is called in $AWS_DEFAULT_REGION, else us-east-1, and no region is exported',
  },
  defaultRegion: {
    env: 'AWS_DEFAULT_REGION',
    flag: '--aws-default-region',
    parse: AWS_REGION,
    accepts: "an AWS region: the step's own, used for STS when AWS_REGION is not set, never exported",
    defaultText: 'none',
  },
  sessionDurationSeconds: {
    env: 'SESSION_DURATION',
    flag: '--session-duration',
    parse: integer(900, 43_200),
    fallback: 900,
    accepts: 'seconds, 900–43200',
  },
  sessionPolicy: {
    env: 'SESSION_POLICY',
    flag: '--session-policy',
    parse: sessionPolicy,
    accepts: 'an IAM policy as JSON, at most 2048 characters',
  },
  sessionPolicyArns: {
    env: 'SESSION_POLICY_ARNS',
    flag: '--session-policy-arns',
    parse: policyArns,
    fallback: [],
    accepts: 'up to 10 IAM policy ARNs, comma-separated or as a pipe list',
  },
  sessionName: {
    env: 'SESSION_NAME',
    flag: '--session-name',
    parse: sessionName,
    accepts: '2–64 characters of letters, digits and _+=,.@-',
    defaultText: 'bitbucket-<build>-<step>',
  },
  timeoutSeconds: {
    env: 'TIMEOUT',
    flag: '--timeout',
    parse: integer(1, 43_200),
    fallback: 600,
    accepts: 'seconds to wait for a decision, 1–43200',
  },
  pulsarToken: {
    env: 'PULSAR_TOKEN',
    flag: '--pulsar-token',
    secret: true,
    parse: text,
    accepts: 'a Pulsar JWT, only where the cluster does not accept the step OIDC token',
  },
  outputDir: {
    env: 'OUTPUT_DIR',
    flag: '--output-dir',
    parse: text,
    accepts: 'a directory path',
    defaultText: '$BITBUCKET_CLONE_DIR/.pulsar-gate',
  },
  stsEndpoint: {
    env: 'AWS_ENDPOINT_URL_STS',
    flag: '--sts-endpoint',
    parse: url(['http', 'https'], 'is not an http(s) URL'),
    accepts: 'an http(s) URL of the STS endpoint',
    defaultText: 'the regional AWS endpoint',
  },
  outputFormat: {
    env: 'OUTPUT_FORMAT',
    flag: '--output',
    parse: oneOf(['text', 'json'] as const),
    fallback: 'text',
    accepts: 'text (the step log) or json (one outcome document on stdout, the step log on stderr)',
  },
  debug: { env: 'DEBUG', flag: '--debug', parse: boolean, fallback: false, accepts: 'true or false' },
});

/**
 * Bitbucket passes a list variable as NAME_COUNT and NAME_0 … NAME_{n-1}; the pipe reads it
 * as the comma-separated NAME the table knows. The list wins over NAME, as Bitbucket sets one.
 */
export function withBitbucketLists(env: Env, names: readonly string[] = ['SESSION_POLICY_ARNS']): Env {
  const lists: Record<string, string> = {};
  for (const name of names) {
    const n = Number(env[`${name}_COUNT`]);
    if (env[`${name}_COUNT`] === undefined || !Number.isInteger(n) || n < 0 || n > 100) continue;
    lists[name] = Array.from({ length: n }, (_, i) => env[`${name}_${i}`] ?? '').join(',');
  }
  return { ...env, ...lists };
}
