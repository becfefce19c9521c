import { parseServeConfig } from '../../../cli/service/serve-config.ts';
import { isGateError } from '../../../src/errors.ts';

/** The required `serve` variables, without a Bitbucket fact source (tests add one or test its absence). */
export const SERVE_REQUIRED = {
  PULSAR_URL: 'ws://127.0.0.1:8080',
  TOPICS: 'platform/gates/production',
  SIGNING_KEY_FILE: 'key.json',
  POLICY_DIR: 'policies',
  OIDC_ISSUERS: 'https://issuer.example',
  OIDC_AUDIENCES: 'aud',
} as const;

/** `serve`'s configuration from these environment variables alone (no flags). */
export const readServe = (env: Record<string, string>) => parseServeConfig({ flags: {}, env });

/** The CONFIG_INVALID message for these variables, or '' when they parse. */
export function serveProblems(env: Record<string, string>): string {
  try {
    readServe(env);
    return '';
  } catch (error) {
    if (!isGateError(error, 'CONFIG_INVALID')) throw error;
    return error.message;
  }
}
