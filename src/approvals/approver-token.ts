/**
 * Verifies an approver's OIDC ID token (OIDC Core 1.0 §3.1.3.7) from the operator's
 * organisation IdP (APPROVER_ISSUER): exact issuer, this service's client id as audience, an
 * allow-listed asymmetric algorithm and the issuer's published key (jose over the keys that
 * src/identity/issuer-keys.ts discovers), exp and iat. What it returns is what the service
 * verified — groups from the configured claim mapped to policy groups, the Bitbucket
 * account from a claim or the operator's map — never what a client says. Never throws,
 * never quotes the token.
 */
import { decodeJwt, jwtVerify } from 'jose';
import type { VerifiedApprover } from '../decision/approval-facts.ts';
import { createIssuerKeys } from '../identity/issuer-keys.ts';
import { quote, reject, rejectionFor, type TokenRejection } from '../identity/token-rejection.ts';
import { DEFAULT_ALGORITHMS } from '../identity/verifier-options.ts';
import type { ApproverMaps } from './approver-maps.ts';

export interface ApproverTokenOptions {
  readonly issuer: string;
  /** The client id(s) the approvals page and CLI sign in as: the ID token's `aud`. */
  readonly audiences: readonly string[];
  /** Where the IdP lists the person's groups (Okta `groups`, Entra `groups`, Keycloak `groups`). */
  readonly groupsClaim: string;
  /** A claim holding the person's Bitbucket account uuid or Atlassian account id, if the IdP has one. */
  readonly bitbucketClaim: string | undefined;
  /** The operator's maps in force, asked once per token (SIGHUP may replace them: approver-maps.ts). */
  readonly maps: () => ApproverMaps;
  readonly allowInsecureIssuer: boolean;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

export interface ApproverVerifier {
  verify(token: string): Promise<{ readonly ok: true; readonly approver: VerifiedApprover } | TokenRejection>;
}

const MAX_TOKEN_LENGTH = 20_000;

export function createApproverVerifier(options: ApproverTokenOptions): ApproverVerifier {
  const now = options.now ?? Date.now;
  const keys = createIssuerKeys(options.issuer, {
    allowInsecure: options.allowInsecureIssuer,
    cooldownMs: 30_000,
    cacheMaxAgeMs: 600_000,
    timeoutMs: 5_000,
    fetch: options.fetch,
    now,
  });
  const verifyOnce = async (token: string) => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
      return reject('malformed', 'the ID token is not a JWT of a plausible size');
    // The unverified iss only refuses early: only the configured issuer's keys are ever fetched.
    const iss = decodeJwt(token).iss;
    if (iss !== options.issuer)
      return reject('issuer', `the ID token issuer ${quote(iss)} is not APPROVER_ISSUER`);
    const { payload } = await jwtVerify(token, keys.getKey, {
      issuer: options.issuer,
      audience: [...options.audiences],
      algorithms: [...DEFAULT_ALGORITHMS],
      clockTolerance: 30,
      currentDate: new Date(now()),
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    const sub = payload.sub as string;
    const claimed = groupsIn(payload[options.groupsClaim]);
    const name = [payload.name, payload.email, sub].find((v) => typeof v === 'string' && v !== '') as string;
    // One snapshot of the maps for both look-ups: a reload never mixes two versions.
    const maps = options.maps();
    const bitbucket = accountOf(payload, options, maps.accounts);
    const approver: VerifiedApprover = {
      iss: options.issuer,
      sub,
      name: name.slice(0, 200),
      groups: policyGroups(claimed, maps.groups),
      ...(bitbucket === undefined ? {} : { bitbucket }),
    };
    return { ok: true as const, approver };
  };
  return {
    verify: async (token) => {
      try {
        return await verifyOnce(token);
      } catch (error) {
        return rejectionFor(error);
      }
    },
  };
}

function groupsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/** The policy groups the IdP's groups make someone a member of (groups.json "approvers"). */
export function policyGroups(
  claimed: readonly string[],
  map: ReadonlyMap<string, readonly string[]>,
): string[] {
  const out = new Set<string>();
  const targets = new Set([...map.values()].flat());
  // A name the map speaks of (a mapped policy group, or an IdP group it maps) means only what the map says.
  for (const group of claimed) if (!map.has(group) && !targets.has(group)) out.add(group);
  for (const [group, idpGroups] of map) if (idpGroups.some((g) => claimed.includes(g))) out.add(group);
  return [...out].sort();
}

function accountOf(
  payload: Record<string, unknown>,
  o: ApproverTokenOptions,
  accounts: ReadonlyMap<string, string>,
): string | undefined {
  const claim = o.bitbucketClaim === undefined ? undefined : payload[o.bitbucketClaim];
  if (typeof claim === 'string' && claim !== '') return claim;
  const keys = [`${o.issuer} ${String(payload.sub)}`, String(payload.sub)];
  if (typeof payload.email === 'string' && payload.email_verified === true) keys.push(payload.email);
  for (const key of keys) {
    const account = accounts.get(key);
    if (account !== undefined) return account;
  }
  return undefined;
}
