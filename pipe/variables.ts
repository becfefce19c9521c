/**
 * The pipe variables (DESIGN.md §5), each with its CLI flag and what it accepts. The table
 * drives parsing, `--help` and the README's variables table, so they cannot drift apart.
 */
export interface Variable {
  readonly name: string;
  readonly flag: string;
  readonly required?: boolean;
  readonly accepts: string;
  readonly defaultText?: string;
  /** Never echo the value back, not even in an error message. */
  readonly secret?: boolean;
}

export const VARIABLES = [
  {
    name: 'PULSAR_URL',
    flag: '--pulsar-url',
    required: true,
    accepts: 'a ws://, wss://, http://, https://, pulsar:// or pulsar+ssl:// URL',
  },
  {
    name: 'TOPIC',
    flag: '--topic',
    required: true,
    accepts: 'NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME',
  },
  {
    name: 'ROLE',
    flag: '--role',
    required: true,
    accepts: 'an IAM role ARN (AWS_OIDC_ROLE_ARN is accepted too)',
  },
  {
    name: 'DECISION_KEYS',
    flag: '--decision-keys',
    required: true,
    accepts: 'the decision service public JWKS: inline JSON, a file path or an https URL',
    secret: true,
  },
  {
    name: 'REPLY_TOPIC',
    flag: '--reply-topic',
    accepts: 'a topic name like TOPIC',
    defaultText: 'TOPIC + "-replies"',
  },
  {
    name: 'KEYS_TOPIC',
    flag: '--keys-topic',
    accepts: 'the topic where the decision service announces rotated key sets (DECISION_KEYS stays the root)',
    defaultText: 'none: DECISION_KEYS alone is trusted',
  },
  {
    name: 'PULSAR_NAMESPACE',
    flag: '--pulsar-namespace',
    accepts: 'TENANT/NAMESPACE for short topic names',
    defaultText: 'public/default',
  },
  {
    name: 'ACTION',
    flag: '--action',
    accepts: 'deploy, provision, access-grant or artifact-delivery',
    defaultText: 'deploy',
  },
  {
    name: 'ENVIRONMENT',
    flag: '--environment',
    accepts: '1–64 letters, digits, spaces and _ . -',
    defaultText: '$BITBUCKET_DEPLOYMENT_ENVIRONMENT',
  },
  {
    name: 'AWS_REGION',
    flag: '--aws-region',
    accepts: 'an AWS region such as eu-west-1',
    defaultText: '$AWS_DEFAULT_REGION, else us-east-1',
  },
  { name: 'SESSION_DURATION', flag: '--session-duration', accepts: 'seconds, 900–43200', defaultText: '900' },
  {
    name: 'SESSION_POLICY',
    flag: '--session-policy',
    accepts: 'an IAM policy as JSON, at most 2048 characters',
  },
  {
    name: 'SESSION_POLICY_ARNS',
    flag: '--session-policy-arns',
    accepts: 'up to 10 IAM policy ARNs, comma-separated or as a pipe list',
  },
  {
    name: 'SESSION_NAME',
    flag: '--session-name',
    accepts: '2–64 characters of letters, digits and _+=,.@-',
    defaultText: 'bitbucket-<build>-<step>',
  },
  {
    name: 'TIMEOUT',
    flag: '--timeout',
    accepts: 'seconds to wait for a decision, 1–43200',
    defaultText: '600',
  },
  {
    name: 'PULSAR_TOKEN',
    flag: '--pulsar-token',
    accepts: 'a Pulsar JWT, only where the cluster does not accept the step OIDC token',
    secret: true,
  },
  {
    name: 'OUTPUT_DIR',
    flag: '--output-dir',
    accepts: 'a directory path',
    defaultText: '$BITBUCKET_CLONE_DIR/.pulsar-gate',
  },
  {
    name: 'AWS_ENDPOINT_URL_STS',
    flag: '--sts-endpoint',
    accepts: 'an http(s) URL of the STS endpoint',
    defaultText: 'the regional AWS endpoint',
  },
  { name: 'DEBUG', flag: '--debug', accepts: 'true or false', defaultText: 'false' },
] as const satisfies readonly Variable[];

export type VariableName = (typeof VARIABLES)[number]['name'];

/** Raw values as they arrived, CLI flags over environment variables. */
export type RawVariables = Partial<Record<VariableName, string>>;

const isSecret = (name: VariableName): boolean =>
  VARIABLES.some((v) => v.name === name && 'secret' in v && v.secret === true);

/** One line naming the variable, what was wrong and what it accepts. */
export function problem(name: VariableName, issue: string, value?: string): string {
  const spec = VARIABLES.find((v) => v.name === name);
  const shown =
    value === undefined || isSecret(name) || value.length > 60 ? '' : ` (got ${JSON.stringify(value)})`;
  return `${name}: ${issue}${shown}; accepts ${spec?.accepts ?? 'a valid value'}`;
}

/** Bitbucket passes a list variable as NAME_COUNT and NAME_0 … NAME_{n-1}. */
export function readList(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string[] | undefined {
  const count = env[`${name}_COUNT`];
  if (count === undefined) return undefined;
  const n = Number(count);
  if (!Number.isInteger(n) || n < 0 || n > 100) return undefined;
  return Array.from({ length: n }, (_, i) => env[`${name}_${i}`] ?? '').filter((item) => item !== '');
}

/** The pipe variables as Bitbucket passes them: environment variables. */
export function rawFromEnv(env: Readonly<Record<string, string | undefined>>): RawVariables {
  const raw: RawVariables = {};
  for (const variable of VARIABLES) {
    const value = env[variable.name];
    if (value !== undefined) raw[variable.name] = value;
  }
  return raw;
}
