import { readFile as readFileFromDisk } from 'node:fs/promises';
import { GateError } from '../errors.ts';
import { redactedUrl } from '../lib/redacted-url.ts';
import { parseTrustedKeys, type TrustedKeys } from './trusted-keys.ts';

export interface LoadTrustedKeysOptions {
  fetch?: typeof fetch;
  /** Fetch deadline for a URL, headers and body together. Default 10 s. */
  timeoutMs?: number;
  readFile?: (path: string) => Promise<string>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A JWKS of a handful of keys is a few KiB; anything near this is not one. */
const MAX_JWKS_BYTES = 256 * 1024;
const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Loads DECISION_KEYS (the trust root of P1, docs/security.md): inline JSON, an https URL (http only on loopback, for local
 * testing), or a file path. Any failure is a GateError; the keys are the trust root, so there is
 * no fallback.
 */
export async function loadTrustedKeys(
  spec: string,
  options: LoadTrustedKeysOptions = {},
): Promise<TrustedKeys> {
  const value = spec.trim();
  if (value === '')
    throw new GateError(
      'CONFIG_INVALID',
      'DECISION_KEYS is empty: give a JWKS as JSON, an https URL or a file',
    );
  if (value.startsWith('{') || value.startsWith('['))
    return parseTrustedKeys(parse(value, 'inline JSON'), 'inline JSON');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined)
    return fromFile(value, options.readFile ?? ((path) => readFileFromDisk(path, 'utf8')));
  const url = parseUrl(value);
  if (scheme === 'http' && !LOOPBACK_HOSTS.includes(url.hostname)) {
    throw new GateError(
      'CONFIG_INVALID',
      `DECISION_KEYS URL must be https (plain http only to a loopback host): ${redactedUrl(url)}`,
    );
  }
  if (scheme !== 'https' && scheme !== 'http') {
    throw new GateError('CONFIG_INVALID', `DECISION_KEYS URL must be https: ${redactedUrl(url)}`);
  }
  return fromUrl(url, options.fetch ?? fetch, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

async function fromUrl(url: URL, fetchImpl: typeof fetch, timeoutMs: number): Promise<TrustedKeys> {
  const where = redactedUrl(url);
  const unavailable = (why: string, cause?: unknown): GateError =>
    new GateError('KEYS_UNAVAILABLE', `cannot fetch DECISION_KEYS from ${where}: ${why}`, {
      cause,
      details: { url: where },
    });
  let body: string;
  try {
    const response = await fetchImpl(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    // A redirect may not downgrade the trust root to plain http (RFC 7517 §5 keys need integrity).
    const final = response.url === '' ? url : parseUrl(response.url);
    if (final.protocol !== 'https:' && !LOOPBACK_HOSTS.includes(final.hostname)) {
      throw unavailable(`redirected to a non-https URL ${redactedUrl(final)}`);
    }
    if (!response.ok) throw unavailable(`HTTP ${response.status}`);
    body = await response.text();
  } catch (error) {
    if (error instanceof GateError) throw error;
    const timedOut =
      error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    const why = timedOut
      ? `no answer within ${timeoutMs} ms`
      : `the request failed${typeof code === 'string' ? ` (${code})` : ''}`;
    throw unavailable(why, error);
  }
  if (body.length > MAX_JWKS_BYTES) {
    throw new GateError('KEYS_INVALID', `DECISION_KEYS from ${where} is over ${MAX_JWKS_BYTES} bytes`);
  }
  return parseTrustedKeys(parse(body, where), where);
}

async function fromFile(path: string, readFile: (path: string) => Promise<string>): Promise<TrustedKeys> {
  let body: string;
  try {
    body = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const why = code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable');
    throw new GateError('KEYS_UNAVAILABLE', `cannot read DECISION_KEYS file ${path}: ${why}`, {
      cause: error,
      details: { path },
    });
  }
  return parseTrustedKeys(parse(body, path), path);
}

function parse(body: string, where: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    // The SyntaxError is dropped on purpose, not kept as a cause: V8 quotes the input around the
    // error, which could be a private key pasted by mistake (P5).
    throw new GateError('KEYS_INVALID', `DECISION_KEYS from ${where} is not valid JSON`);
  }
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new GateError('CONFIG_INVALID', 'DECISION_KEYS looks like a URL but is not a valid one');
  }
}
