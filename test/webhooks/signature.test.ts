import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, signatureHeader } from '../../src/webhooks/signature.ts';

const secret = Buffer.from('It’s a Secret to Everybody');
const body = Buffer.from('{"repository":{"uuid":"{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}"}}');
// Computed independently of the code under test: HMAC-SHA256 (RFC 2104) of the raw body.
const digest = createHmac('sha256', secret).update(body).digest('hex');

describe('X-Hub-Signature', () => {
  it('accepts sha256=<hex HMAC of the raw body>, in either case of hex', () => {
    expect(signatureHeader(secret, body)).toBe(`sha256=${digest}`);
    expect(checkSignature([secret], body, `sha256=${digest}`)).toBe('valid');
    expect(checkSignature([secret], body, `sha256=${digest.toUpperCase()}`)).toBe('valid');
  });

  it('says missing for no header and malformed for anything but sha256= and 64 hex digits', () => {
    expect(checkSignature([secret], body, undefined)).toBe('missing');
    expect(checkSignature([secret], body, '  ')).toBe('missing');
    for (const header of [
      digest,
      `sha1=${digest}`,
      `sha256=${digest.slice(2)}`,
      `sha256=${digest}0`,
      `sha256= ${digest}`,
      `sha256=${'z'.repeat(64)}`,
    ])
      expect(checkSignature([secret], body, header), header).toBe('malformed');
  });

  it('refuses another secret, one changed byte of the body, and a body with whitespace added', () => {
    expect(checkSignature([Buffer.from('another secret')], body, `sha256=${digest}`)).toBe('mismatch');
    const changed = Buffer.from(body);
    changed.writeUInt8(changed.readUInt8(changed.length - 3) ^ 1, changed.length - 3);
    expect(checkSignature([secret], changed, `sha256=${digest}`)).toBe('mismatch');
    expect(checkSignature([secret], Buffer.concat([body, Buffer.from('\n')]), `sha256=${digest}`)).toBe(
      'mismatch',
    );
  });

  it('accepts either secret while one is rotated, and no secret at all accepts nothing', () => {
    const next = Buffer.from('next secret');
    expect(checkSignature([next, secret], body, `sha256=${digest}`)).toBe('valid');
    expect(checkSignature([secret, next], body, signatureHeader(next, body))).toBe('valid');
    expect(checkSignature([], body, `sha256=${digest}`)).toBe('mismatch');
  });
});
