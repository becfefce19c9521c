import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { buildRequestEvent } from '../../src/events/request.ts';
import { NOW, requestData, requestEvent } from './fixtures.ts';

function refusal(run: () => unknown): GateError {
  try {
    run();
  } catch (error) {
    if (error instanceof GateError) return error;
    throw error;
  }
  throw new Error('expected a GateError');
}

describe('buildRequestEvent', () => {
  it('builds a CloudEvents 1.0 structured event from the pipeline context', () => {
    const event = requestEvent();
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/bitbucket/acme/web',
      type: 'dev.pulsar-gate.request.v1',
      subject: 'deploy/production',
      time: '2030-05-01T12:00:00.000Z',
      datacontenttype: 'application/json',
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.data.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(requestEvent().data.nonce).not.toBe(event.data.nonce);
    expect(requestEvent().id).not.toBe(event.id);
  });

  it('accepts a repository slug and percent-encodes the source segments', () => {
    const event = requestEvent((data) => {
      data.pipeline.workspace = 'acme corp';
      data.pipeline.repository = 'web';
    });
    expect(event.source).toBe('/bitbucket/acme%20corp/web');
  });

  it('deep-freezes the event and leaves the caller input unfrozen', () => {
    const data = requestData();
    const event = buildRequestEvent({ now: NOW, data, id: 'req-1' });
    expect(event.id).toBe('req-1');
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.data.pipeline)).toBe(true);
    expect(Object.isFrozen(event.data.credentials)).toBe(true);
    expect(() => {
      (event.data.pipeline as { branch?: string }).branch = 'evil';
    }).toThrow(TypeError);
    expect(Object.isFrozen(data.pipeline)).toBe(false);
  });

  it.each([
    ['an empty environment', (d: ReturnType<typeof requestData>) => Object.assign(d, { environment: '' })],
    [
      'an environment with "/"',
      (d: ReturnType<typeof requestData>) => Object.assign(d, { environment: 'prod/eu' }),
    ],
    [
      'a non-ISO expiresAt',
      (d: ReturnType<typeof requestData>) => Object.assign(d, { expiresAt: 'tomorrow' }),
    ],
    [
      'an expiresAt in the past',
      (d: ReturnType<typeof requestData>) => Object.assign(d, { expiresAt: '2030-05-01T11:00:00Z' }),
    ],
    [
      'an unknown action',
      (d: ReturnType<typeof requestData>) => void Object.assign(d, { action: 'destroy' }),
    ],
    [
      'a token that is not a JWE',
      (d: ReturnType<typeof requestData>) => Object.assign(d, { identityTokenJwe: 'opaque' }),
    ],
    [
      'a token in clear (a compact JWS, not a JWE)',
      (d: ReturnType<typeof requestData>) =>
        Object.assign(d, { identityTokenJwe: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }),
    ],
    [
      'the token under its old name, in clear',
      (d: ReturnType<typeof requestData>) =>
        Object.assign(d, { identityToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }),
    ],
    [
      'a JWE over the size limit',
      (d: ReturnType<typeof requestData>) =>
        Object.assign(d, { identityTokenJwe: `eyJh.${'a'.repeat(25 * 1024)}.aXY.Y2lw.dGFn` }),
    ],
    [
      'a repository of another workspace',
      (d: ReturnType<typeof requestData>) => Object.assign(d.pipeline, { repository: 'evil/web' }),
    ],
    ['a short caller nonce', (d: ReturnType<typeof requestData>) => Object.assign(d, { nonce: 'abc' })],
    [
      'a role that is not an ARN',
      (d: ReturnType<typeof requestData>) => Object.assign(d.credentials, { roleArn: 'deploy' }),
    ],
  ])('refuses %s with CONFIG_INVALID', (_name, change) => {
    const data = requestData();
    change(data);
    expect(refusal(() => buildRequestEvent({ now: NOW, data })).code).toBe('CONFIG_INVALID');
  });

  it('refuses an invalid id or clock', () => {
    expect(refusal(() => buildRequestEvent({ now: NOW, data: requestData(), id: 'a b' })).code).toBe(
      'CONFIG_INVALID',
    );
    expect(refusal(() => buildRequestEvent({ now: new Date(Number.NaN), data: requestData() })).code).toBe(
      'CONFIG_INVALID',
    );
  });
});

describe('the credential secret guard (P5)', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const SESSION = 'FwoGZXIvYXdzEBYaDHVzZXItc2Vzc2lvbi10b2tlbg';

  it.each([
    ['secretAccessKey', { secretAccessKey: SECRET }],
    ['sessionToken', { sessionToken: SESSION }],
    ['SessionToken', { SessionToken: SESSION }],
  ])('refuses a field named %s without echoing its value', (_name, extra) => {
    const data = requestData();
    Object.assign(data.credentials, extra);
    const error = refusal(() => buildRequestEvent({ now: NOW, data }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/AWS secret/);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(SESSION);
  });

  it.each([
    ['a temporary key id in a known field', 'ASIAIOSFODNN7EXAMPLE'],
    ['a long-term key id in a known field', 'AKIAIOSFODNN7EXAMPLE'],
  ])('refuses %s without echoing it', (_name, keyId) => {
    const data = requestData();
    data.credentials.sessionName = keyId;
    const error = refusal(() => buildRequestEvent({ now: NOW, data }));
    expect(error.message).toMatch(/credentials\.sessionName .*access key id/);
    expect(error.message).not.toContain(keyId);
  });

  it('looks inside nested values too', () => {
    const data = requestData();
    data.credentials.policyArns = ['arn:aws:iam::aws:policy/ReadOnly', 'key ASIAIOSFODNN7EXAMPLE'];
    expect(refusal(() => buildRequestEvent({ now: NOW, data })).message).toContain(
      'credentials.policyArns[1]',
    );
  });

  it('lets ordinary metadata through', () => {
    const data = requestData();
    data.credentials.policyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    data.credentials.sessionPolicyDigest = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
    expect(buildRequestEvent({ now: NOW, data }).data.credentials.policyArns).toHaveLength(1);
  });
});
