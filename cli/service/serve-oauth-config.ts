import type { Raw } from './serve-config.ts';

export interface OAuthClientConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecretFile: string;
  readonly audience: string | undefined;
}

/** All of issuer, client id and secret file, or none; never together with PULSAR_TOKEN. */
export function oauthClient(
  raw: Raw,
  pulsarToken: string | undefined,
  allowInsecure: boolean,
  problems: string[],
): OAuthClientConfig | undefined {
  const issuer = raw.OAUTH_ISSUER?.trim() ?? '';
  const clientId = raw.OAUTH_CLIENT_ID?.trim() ?? '';
  const clientSecretFile = raw.OAUTH_CLIENT_SECRET_FILE?.trim() ?? '';
  if (!issuer && !clientId && !clientSecretFile) return undefined;
  const missing = Object.entries({
    OAUTH_ISSUER: issuer,
    OAUTH_CLIENT_ID: clientId,
    OAUTH_CLIENT_SECRET_FILE: clientSecretFile,
  }).filter(([, value]) => !value);
  for (const [name] of missing) problems.push(`${name}: is required with the other OAUTH_ options`);
  if (pulsarToken) problems.push('PULSAR_TOKEN: cannot be used with OAUTH_ISSUER; choose one');
  if (issuer && !/^https:\/\//.test(issuer) && !(allowInsecure && /^http:\/\//.test(issuer)))
    problems.push(`OAUTH_ISSUER: ${issuer} is not an https:// URL`);
  return { issuer, clientId, clientSecretFile, audience: raw.OAUTH_AUDIENCE?.trim() || undefined };
}
