import { GateError } from '../../errors.ts';
import { redactedUrl } from '../../lib/redacted-url.ts';

/** Accepts the web service URL in any of its spellings and returns the ws(s) base. */
export function webSocketBase(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new GateError('CONFIG_INVALID', `invalid Pulsar URL "${input}"`, { cause });
  }
  const scheme = { 'ws:': 'ws:', 'http:': 'ws:', 'wss:': 'wss:', 'https:': 'wss:' }[url.protocol];
  if (scheme === undefined) {
    throw new GateError(
      'CONFIG_INVALID',
      `Pulsar URL "${redactedUrl(url)}" is not ws://, wss://, http:// or https://`,
    );
  }
  if (url.username || url.password) {
    throw new GateError(
      'CONFIG_INVALID',
      'Pulsar URL must not carry credentials; use PULSAR_TOKEN or the OIDC token',
    );
  }
  const base = new URL(url.href.replace(/^[a-z]+:/, scheme));
  base.search = '';
  base.hash = '';
  return base;
}
