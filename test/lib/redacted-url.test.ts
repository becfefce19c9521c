import { describe, expect, it } from 'vitest';
import { redactedUrl } from '../../src/lib/redacted-url.ts';

describe('redactedUrl', () => {
  it('keeps scheme, host, port and path', () => {
    expect(redactedUrl(new URL('wss://pulsar.example:8443/ws/v2/producer'))).toBe(
      'wss://pulsar.example:8443/ws/v2/producer',
    );
  });

  it('drops user info, query and fragment, any of which may carry a credential', () => {
    const shown = redactedUrl(new URL('https://user:s3cret@keys.example/jwks.json?token=abc#frag'));
    expect(shown).toBe('https://keys.example/jwks.json');
    expect(shown).not.toMatch(/s3cret|token|abc|frag/);
  });
});
