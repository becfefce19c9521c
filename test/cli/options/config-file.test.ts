// `serve --config serve.yaml`: the same option table as the environment, the same one-line
// problems naming the key (and the file), flags and variables over the file, and no secret
// value in a file.
import { describe, expect, it } from 'vitest';
import { text } from '../../../cli/options/parsers.ts';
import { readOptions } from '../../../cli/options/read.ts';
import { SERVE_OPTIONS } from '../../../cli/service/serve-options.ts';
import { isGateError } from '../../../src/errors.ts';
import { readServe, SERVE_REQUIRED, serveProblems } from '../service/serve-env.ts';

const YAML = `# serve.yaml
PULSAR_URL: ws://127.0.0.1:8080
TOPICS:
  - platform/gates/production
  - platform/gates/staging
SIGNING_KEY_FILE: /etc/pulsar-gate/keys/service-key.json
POLICY_DIR: /etc/pulsar-gate/policies
OIDC_ISSUERS: [https://issuer.example]
OIDC_AUDIENCES: aud
HTTP_PORT: 9470
ALLOW_INSECURE_ISSUER: false
ENVIRONMENT_MAP: /etc/pulsar-gate/environments.json
`;

/** A file system: the named files, anything else missing (ENOENT). */
const files =
  (named: Record<string, string>) =>
  (path: string): string => {
    const found = named[path];
    if (found !== undefined) return found;
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  };

const read = (
  named: Record<string, string>,
  env: Record<string, string>,
  flags: Record<string, string> = {},
) => readOptions(SERVE_OPTIONS, { flags, env }, [], files(named));

const problemsOf = (result: ReturnType<typeof read>): readonly string[] => (result.ok ? [] : result.problems);

describe('serve --config: a file in place of the variables', () => {
  it('reads every setting from YAML, lists as sequences, numbers and booleans as their text', () => {
    const result = read({ '/etc/serve.yaml': YAML }, { CONFIG_FILE: '/etc/serve.yaml' });
    expect(problemsOf(result)).toEqual([]);
    if (!result.ok) return;
    expect(result.values.topics).toEqual(['platform/gates/production', 'platform/gates/staging']);
    expect(result.values.httpPort).toBe(9470);
    expect(result.values.allowInsecureIssuer).toBe(false);
    expect(result.values.issuers).toEqual(['https://issuer.example']);
  });

  it('reads the same from JSON', () => {
    const json = JSON.stringify({ ...SERVE_REQUIRED, TOPICS: ['a/b/c', 'a/b/d'], ENVIRONMENT_MAP: 'm.json' });
    const result = read({ '/etc/serve.json': json }, {}, { config: '/etc/serve.json' });
    expect(result.ok && result.values.topics).toEqual(['a/b/c', 'a/b/d']);
  });

  it('lets flags and variables win over the file, each from its own layer', () => {
    const result = read(
      { 'serve.yaml': YAML },
      { CONFIG_FILE: 'serve.yaml', TOPICS: 'env/gates/only', HTTP_PORT: '9500' },
      { httpPort: '9600' },
    );
    expect(result.ok && [result.values.topics, result.values.httpPort, result.values.policyDir]).toEqual([
      ['env/gates/only'],
      9600,
      '/etc/pulsar-gate/policies',
    ]);
  });

  it('files a bad value under the file and the key, in the same one-line form as a variable', () => {
    const bad = `${YAML.replace('HTTP_PORT: 9470', 'HTTP_PORT: 70000')}`;
    const fromFile = problemsOf(read({ 's.yaml': bad }, { CONFIG_FILE: 's.yaml' }));
    const fromEnv = serveProblems({ ...SERVE_REQUIRED, ENVIRONMENT_MAP: 'm', HTTP_PORT: '70000' });
    expect(fromFile).toEqual([fromEnv.replace(/^HTTP_PORT:/, 's.yaml: HTTP_PORT:')]);
  });

  it('refuses a secret value in the file without echoing it, and takes its _FILE path', () => {
    const secret = 'bb-token-in-a-configmap';
    const withSecret = `${YAML}BITBUCKET_TOKEN: ${secret}\n`;
    const problems = problemsOf(read({ 's.yaml': withSecret }, { CONFIG_FILE: 's.yaml' }));
    expect(problems.join('\n')).toMatch(
      /^s\.yaml: BITBUCKET_TOKEN: a secret is not taken from a config file/m,
    );
    expect(problems.join('\n')).not.toContain(secret);
    const viaFile = `${YAML.replace(/ENVIRONMENT_MAP.*\n/, '')}PULSAR_TOKEN_FILE: /run/secrets/pulsar\nBITBUCKET_TOKEN_FILE: /run/secrets/bb\n`;
    const result = read(
      { 's.yaml': viaFile, '/run/secrets/pulsar': 'pulsar-jwt\n', '/run/secrets/bb': 'bb\n' },
      { CONFIG_FILE: 's.yaml' },
    );
    expect(result.ok && [result.values.pulsarToken, result.values.bitbucketToken]).toEqual([
      'pulsar-jwt',
      'bb',
    ]);
  });

  it('reports an unknown key, a nested value and every option problem together', () => {
    const bad = `${YAML}TOPIC: platform/gates/typo\nSUBSCRIPTION: {name: x}\nCONFIG_FILE: other.yaml\n`;
    const problems = problemsOf(read({ 's.yaml': bad }, { CONFIG_FILE: 's.yaml', OIDC_AUDIENCES: '' }));
    expect(problems).toEqual([
      's.yaml: TOPIC: is not a setting of this command (its variable names: --help)',
      's.yaml: SUBSCRIPTION: must be text, a number, a boolean or a list of them',
      's.yaml: CONFIG_FILE: is not a setting of this command (its variable names: --help)',
    ]);
  });

  it('names the file when it is missing or not a mapping, and still reports the rest', () => {
    expect(problemsOf(read({}, { ...SERVE_REQUIRED, CONFIG_FILE: '/nowhere.yaml' }))).toEqual([
      '/nowhere.yaml: cannot read it as a config file (ENOENT)',
    ]);
    const list = problemsOf(read({ 'l.yaml': '- a\n- b\n' }, { CONFIG_FILE: 'l.yaml' }));
    expect(list[0]).toBe('l.yaml: must be a mapping of option names to values');
    expect(list.some((p) => p.startsWith('PULSAR_URL: is required'))).toBe(true);
  });

  it('is a CONFIG_INVALID through parseServeConfig, like the environment', () => {
    try {
      readServe({ CONFIG_FILE: '/definitely/not/here.yaml' });
      expect.unreachable('read a missing config file');
    } catch (error) {
      expect(isGateError(error, 'CONFIG_INVALID')).toBe(true);
      expect(String(error)).toContain('/definitely/not/here.yaml: cannot read it as a config file (ENOENT)');
    }
  });

  it('only tables with a configFile option read one', () => {
    const table = { a: { flag: '--a', env: 'A', parse: text, accepts: 'text' } };
    const result = readOptions(table, { flags: {}, env: { CONFIG_FILE: 'x.yaml' } }, [], files({}));
    expect(result).toEqual({ ok: true, values: { a: undefined } });
  });
});
