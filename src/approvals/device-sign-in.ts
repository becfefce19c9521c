/**
 * An approver signs in from a terminal with the OAuth 2.0 Device Authorization Grant
 * (RFC 8628) at the organisation's IdP, through openid-client: the CLI shows a link and a
 * code (§3.2), the person confirms in any browser, the CLI polls the token endpoint (§3.4,
 * honouring `interval` and `slow_down`) and keeps only the ID token, which the approvals API
 * verifies. Scopes ask for the claims the service reads (groups, a Bitbucket account).
 */
import * as oidc from 'openid-client';
import { GateError } from '../errors.ts';

export interface DeviceSignIn {
  readonly issuer: string;
  readonly clientId: string;
  /** For tests against a loopback IdP only. */
  readonly allowInsecure: boolean;
  /** Told where to go: the verification URI (with the code, when the IdP gives one) and the user code. */
  readonly show: (uri: string, userCode: string) => void;
}

export interface SignedIn {
  readonly idToken: string;
  /** Epoch seconds: the ID token's `exp`. */
  readonly expiresAt: number;
}

export async function signInWithDevice(o: DeviceSignIn): Promise<SignedIn> {
  try {
    const config = await oidc.discovery(
      new URL(o.issuer),
      o.clientId,
      undefined,
      oidc.None(),
      o.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
    const started = await oidc.initiateDeviceAuthorization(config, {
      scope: 'openid profile email groups bitbucket',
    });
    o.show(started.verification_uri_complete ?? started.verification_uri, started.user_code);
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, started);
    const claims = tokens.claims();
    if (tokens.id_token === undefined || claims === undefined)
      throw new GateError(
        'APPROVER_SIGN_IN',
        `${o.issuer} gave no ID token: is "openid" among the client's scopes?`,
      );
    return { idToken: tokens.id_token, expiresAt: claims.exp };
  } catch (error) {
    if (error instanceof GateError) throw error;
    // openid-client's messages name the step and the OAuth error, never a token.
    throw new GateError(
      'APPROVER_SIGN_IN',
      `signing in at ${o.issuer} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
