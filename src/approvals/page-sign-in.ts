/**
 * The page's sign-in at the organisation's IdP: the authorization code flow with PKCE
 * (RFC 7636, S256) and a nonce (OIDC Core §3.1.2.1), through openid-client, which checks
 * the state, the code exchange and the ID token's issuer, audience, nonce and signature.
 */
import * as oidc from 'openid-client';
import { GateError } from '../errors.ts';
import type { PendingLogin } from './page-sessions.ts';

export interface PageClient {
  readonly issuer: string;
  readonly clientId: string;
  /** A confidential client's secret; none: a public client (PKCE alone). */
  readonly clientSecret: string | undefined;
  /** `<APPROVALS_URL>/callback`, registered at the IdP. */
  readonly redirectUri: string;
  readonly allowInsecure: boolean;
}

export interface PageSignIn {
  begin(): Promise<{ readonly url: string; readonly login: Omit<PendingLogin, 'expiresAt'> }>;
  /** The ID token and its expiry (epoch ms), or a GateError('APPROVER_SIGN_IN'). */
  finish(
    callback: URL,
    login: PendingLogin,
  ): Promise<{ readonly idToken: string; readonly expiresAt: number }>;
}

export function pageSignIn(c: PageClient): PageSignIn {
  let config: Promise<oidc.Configuration> | undefined;
  const configured = () => {
    config ??= oidc
      .discovery(
        new URL(c.issuer),
        c.clientId,
        c.clientSecret,
        c.clientSecret === undefined ? oidc.None() : undefined,
        c.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        config = undefined;
        throw error;
      });
    return config;
  };
  return {
    async begin() {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(await configured(), {
        redirect_uri: c.redirectUri,
        scope: 'openid profile email groups bitbucket',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, login: { verifier, state, nonce } };
    },
    async finish(callback, login) {
      try {
        const tokens = await oidc.authorizationCodeGrant(await configured(), callback, {
          pkceCodeVerifier: login.verifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (tokens.id_token === undefined || claims === undefined) throw new Error('no ID token');
        return { idToken: tokens.id_token, expiresAt: claims.exp * 1000 };
      } catch (error) {
        throw new GateError(
          'APPROVER_SIGN_IN',
          `sign-in failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  };
}
