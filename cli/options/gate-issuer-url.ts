import { fail, ok, type Parse } from './spec.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * GATE_ISSUER: an https URL without query or fragment (OIDC Discovery 1.0 §3, `issuer`); an
 * http URL only on loopback, for tests — AWS fetches the keys over TLS, and a key fetched in
 * clear could be swapped. No trailing slash: `iss` must equal it character for character.
 */
export const gateIssuerUrl: Parse<string> = (value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('is not a URL');
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#'))
    return fail('must have no query or fragment');
  if (url.username !== '' || url.password !== '') return fail('must not hold credentials');
  if (value.endsWith('/')) return fail('must not end with "/"');
  if (url.protocol === 'https:') return ok(value);
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return ok(value);
  return fail('is not an https:// URL (http:// only for 127.0.0.1 or localhost)');
};
