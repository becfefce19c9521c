// The broker configuration README "Configure your Pulsar cluster" documents is the one the
// tests run: every key it sets has the test broker's value, so the tested setup is the one
// operators are told to use.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { overrides } from './standalone-config.ts';

// Values that are placeholders in the README, or differ on purpose in the tests.
const PLACEHOLDERS = new Set(['openIDAllowedTokenIssuers', 'openIDAllowedAudiences']);

async function documentedBrokerConf(): Promise<Map<string, string>> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Configure your Pulsar cluster'));
  const block = /```properties\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined)
    throw new Error('README has no properties block under "Configure your Pulsar cluster"');
  const entries = block
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line): [string, string] => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    });
  return new Map(entries);
}

describe('README broker configuration', () => {
  it('sets each key to the value the test broker runs with', async () => {
    const documented = await documentedBrokerConf();
    const tested = overrides({
      pulsarHome: '/unused',
      file: '/unused',
      ports: { broker: 6650, web: 8080, bookie: 3181 },
      tokenSecret: 'c2VjcmV0',
      adminToken: 'token',
      openId: { issuers: ['https://issuer.example'], audiences: ['aud'], roleClaim: 'repositoryUuid' },
    });
    expect(documented.get('openIDAcceptedTimeLeewaySeconds')).toBe('30');
    for (const [key, value] of documented) {
      if (PLACEHOLDERS.has(key)) continue;
      expect({ key, value: tested[key] }).toEqual({ key, value });
    }
  });
});
