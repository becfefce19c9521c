import { describe, expect, it } from 'vitest';
import { parseRequestConfig as parseSource } from '../../pipe/config.ts';
import { GateError } from '../../src/errors.ts';

const valid = {
  PULSAR_URL: 'wss://pulsar.example.com:8443',
  TOPIC: 'gates-production',
  ROLE: 'arn:aws:iam::123456789012:role/deploy-production',
  DECISION_KEYS: '{"keys":[]}',
};
const step = {
  BITBUCKET_DEPLOYMENT_ENVIRONMENT: 'production',
  BITBUCKET_CLONE_DIR: '/opt/atlassian/pipelines/agent/build',
};

/** Pipe variables are environment variables: the step's environment with them in it. */
const parseRequestConfig = (raw: Record<string, string>, env: Record<string, string>, cwd: string) =>
  parseSource({ flags: {}, env: { ...env, ...raw } }, cwd);

function problems(raw: Record<string, string>, env: Record<string, string> = step): string[] {
  try {
    parseRequestConfig(raw, env, '/work');
  } catch (error) {
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('CONFIG_INVALID');
    return (error as GateError).message.split('\n');
  }
  return [];
}

describe('pipe variables', () => {
  it('parses a minimal valid set with the documented defaults, frozen', () => {
    const config = parseRequestConfig(valid, step, '/work');
    expect(config.topic).toBe('persistent://public/default/gates-production');
    expect(config.replyTopic).toBe('persistent://public/default/gates-production-replies');
    expect(config.action).toBe('deploy');
    expect(config.environment).toBe('production');
    expect(config.region).toBe('us-east-1');
    expect(config.sessionDurationSeconds).toBe(900);
    expect(config.timeoutMs).toBe(600_000);
    expect(config.outputDir).toBe('/opt/atlassian/pipelines/agent/build/.pulsar-gate');
    expect(config.debug).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts AWS_OIDC_ROLE_ARN for ROLE, a Bitbucket list for SESSION_POLICY_ARNS, and a namespace', () => {
    const { ROLE: _, ...rest } = valid;
    const config = parseRequestConfig(
      { ...rest, PULSAR_NAMESPACE: 'platform/gates' },
      {
        ...step,
        AWS_OIDC_ROLE_ARN: valid.ROLE,
        SESSION_POLICY_ARNS_COUNT: '2',
        SESSION_POLICY_ARNS_0: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        SESSION_POLICY_ARNS_1: 'arn:aws:iam::123456789012:policy/deploy',
      },
      '/work',
    );
    expect(config.roleArn).toBe(valid.ROLE);
    expect(config.sessionPolicyArns).toHaveLength(2);
    expect(config.topic).toBe('persistent://platform/gates/gates-production');
  });

  it('reports every problem at once, one line each, naming the variable and what it accepts', () => {
    const lines = problems(
      {
        PULSAR_URL: 'ftp://x',
        TOPIC: 'a/b',
        ROLE: 'deploy',
        ACTION: 'destroy',
        AWS_REGION: 'mars',
        SESSION_DURATION: '60',
        SESSION_POLICY: '{not json',
        SESSION_POLICY_ARNS: 'arn:aws:iam::1:user/x',
        SESSION_NAME: 'has space',
        TIMEOUT: '-1',
        DEBUG: 'maybe',
        AWS_ENDPOINT_URL_STS: 'sts.local',
      },
      {},
    );
    const named = lines.map((line) => line.split(':')[0]);
    expect(named.sort()).toEqual(
      [
        'ACTION',
        'AWS_ENDPOINT_URL_STS',
        'AWS_REGION',
        'DEBUG',
        'DECISION_KEYS',
        'ENVIRONMENT',
        'PULSAR_URL',
        'ROLE',
        'SESSION_DURATION',
        'SESSION_NAME',
        'SESSION_POLICY',
        'SESSION_POLICY_ARNS',
        'TIMEOUT',
        'TOPIC',
      ].sort(),
    );
    for (const line of lines) expect(line).toMatch(/; accepts /);
    expect(lines.find((l) => l.startsWith('SESSION_DURATION'))).toContain('900 to 43200');
    expect(lines.find((l) => l.startsWith('ACTION'))).toContain(
      'deploy, provision, access-grant or artifact-delivery',
    );
  });

  it('never echoes a secret variable back', () => {
    const lines = problems({ ...valid, PULSAR_URL: '', PULSAR_TOKEN: 'x' });
    expect(lines.join('\n')).not.toContain('"x"');
    const keys = problems({ ...valid, DECISION_KEYS: '' });
    expect(keys).toEqual([expect.stringMatching(/^DECISION_KEYS: is required; accepts/)]);
  });

  it('refuses a reply topic equal to the request topic', () => {
    expect(problems({ ...valid, REPLY_TOPIC: 'gates-production' })[0]).toMatch(
      /^REPLY_TOPIC: must differ from TOPIC/,
    );
  });

  it('reads DEBUG=false as false (Bitbucket passes strings)', () => {
    expect(parseRequestConfig({ ...valid, DEBUG: 'false' }, step, '/w').debug).toBe(false);
    expect(parseRequestConfig({ ...valid, DEBUG: 'TRUE' }, step, '/w').debug).toBe(true);
  });
});

describe('CREDENTIALS and the region (issue 14)', () => {
  it('defaults to gate mode, exporting no region the step did not ask for', () => {
    const config = parseRequestConfig(valid, step, '/work');
    expect(config.credentialsMode).toBe('gate');
    expect(config.exportRegion).toBeUndefined();
  });

  it("calls STS in the step's AWS_DEFAULT_REGION without writing it over; AWS_REGION wins and is exported", () => {
    const own = parseRequestConfig({ ...valid, AWS_DEFAULT_REGION: 'eu-central-1' }, step, '/work');
    expect([own.region, own.exportRegion]).toEqual(['eu-central-1', undefined]);
    const asked = parseRequestConfig(
      { ...valid, AWS_DEFAULT_REGION: 'eu-central-1', AWS_REGION: 'eu-west-1' },
      step,
      '/work',
    );
    expect([asked.region, asked.exportRegion]).toEqual(['eu-west-1', 'eu-west-1']);
  });

  it('step mode refuses a wait as long as the session: the credentials would expire during it', () => {
    expect(problems({ ...valid, CREDENTIALS: 'step', TIMEOUT: '900' })).toEqual([
      expect.stringMatching(/^TIMEOUT: must be less than SESSION_DURATION \(900\) with CREDENTIALS: step/),
    ]);
    expect(problems({ ...valid, CREDENTIALS: 'step', TIMEOUT: '899' })).toEqual([]);
    // Gate mode mints the credentials after the wait: any TIMEOUT is fine.
    expect(problems({ ...valid, TIMEOUT: '3600' })).toEqual([]);
    expect(problems({ ...valid, CREDENTIALS: 'advisory' })[0]).toMatch(/^CREDENTIALS/);
  });
});
