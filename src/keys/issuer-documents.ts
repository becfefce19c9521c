import { type GateKeySet, gateJwks } from './gate-keys.ts';

/** Where the JWKS is published, under the issuer URL (static sites and `serve` alike). */
export const JWKS_PATH = '/jwks.json';
/** OIDC Discovery 1.0 §4: the discovery document's path under the issuer. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** The two documents an OIDC issuer publishes, as the exact bytes served and written. */
export interface IssuerDocuments {
  readonly discovery: string;
  readonly jwks: string;
}

/**
 * The gate issuer's discovery document (OIDC Discovery 1.0 §3: `issuer`, `jwks_uri`,
 * `response_types_supported`, `subject_types_supported`, `id_token_signing_alg_values_supported`
 * are REQUIRED; `claims_supported` RECOMMENDED — what IAM reads) and its JWKS. One function for
 * `serve` and `keys publish-oidc`, so both publish the same bytes.
 */
export function issuerDocuments(issuer: string, set: GateKeySet, now: number): IssuerDocuments {
  const base = issuer.replace(/\/+$/, '');
  const discovery = {
    issuer,
    jwks_uri: `${base}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: [
      'iss',
      'aud',
      'sub',
      'iat',
      'nbf',
      'exp',
      'jti',
      'repository_uuid',
      'workspace_uuid',
      'environment',
      'action',
      'ref',
      'commit',
      'https://aws.amazon.com/tags',
    ],
  };
  return {
    discovery: `${JSON.stringify(discovery, null, 2)}\n`,
    jwks: `${JSON.stringify(gateJwks(set, now), null, 2)}\n`,
  };
}

/** The paths under which `serve` answers: the issuer URL's own path, then the documents'. */
export function issuerPaths(issuer: string): { discovery: string; jwks: string } {
  const prefix = new URL(issuer).pathname.replace(/\/+$/, '');
  return { discovery: `${prefix}${DISCOVERY_PATH}`, jwks: `${prefix}${JWKS_PATH}` };
}
