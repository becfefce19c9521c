// GATE_ISSUER is what IAM knows the service by and what every gate token's `iss` says: an
// https URL, exactly; http only on loopback, for tests (a JWKS fetched in clear can be swapped).
import { describe, expect, it } from 'vitest';
import { readServe, SERVE_REQUIRED, serveProblems } from './serve-env.ts';

const serve = {
  ...SERVE_REQUIRED,
  ENVIRONMENT_MAP: 'environments.json',
  SIGNING_KEY_FILE: '/keys/service-key.json',
};

describe('serve GATE_* options', () => {
  it('without GATE_ISSUER the service is no gate issuer; with it, gate-keys.json beside the signing key, 300 s tokens', () => {
    expect(readServe(serve).gate).toBeUndefined();
    expect(readServe({ ...serve, GATE_ISSUER: 'https://gate.example.com/pg' }).gate).toEqual({
      issuer: 'https://gate.example.com/pg',
      keysFile: '/keys/gate-keys.json',
      tokenTtlSeconds: 300,
    });
  });

  it.each([
    ['http://gate.example.com', /not an https:\/\/ URL/],
    ['http://10.0.0.5:9464', /not an https:\/\/ URL/],
    ['https://gate.example.com/', /must not end with "\/"/],
    ['https://gate.example.com?x=1', /no query or fragment/],
    ['https://user:pw@gate.example.com', /must not hold credentials/],
    ['gate.example.com', /is not a URL/],
  ])('refuses %s', (value, issue) => {
    expect(serveProblems({ ...serve, GATE_ISSUER: value })).toMatch(issue);
  });

  it('accepts http only on loopback, and a token lifetime of at most 300 s', () => {
    expect(serveProblems({ ...serve, GATE_ISSUER: 'http://127.0.0.1:9464' })).toBe('');
    expect(serveProblems({ ...serve, GATE_ISSUER: 'http://localhost:9464' })).toBe('');
    expect(serveProblems({ ...serve, GATE_ISSUER: 'https://g.example', GATE_TOKEN_TTL: '301' })).toMatch(
      /^GATE_TOKEN_TTL/m,
    );
  });
});
