import { type DecryptionKeyLookup, type DecryptionProblem, decryptCompact } from '../jose/decrypt.ts';
import { encryptCompact } from '../jose/encrypt.ts';
import type { EncryptionKey } from '../jose/encryption-key.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';

/**
 * Explicit typing (RFC 8725 §3.11) of the JWE that carries the step token in a request:
 * `data.identityTokenJwe` can never be taken for the request, a decision or the token itself.
 * `cty: "JWT"` says the plaintext is a JWT (RFC 7519 §5.2, a nested JWT).
 */
export const STEP_TOKEN_TYP = 'application/pulsar-gate.step-token+jwe';

/** A compact JWS (RFC 7515 §7.1) with a non-empty signature: what a step token must decrypt to. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The step's OIDC token, encrypted to the decision service's current encryption key (P5:
 * no live token at rest in clear on the request topic or its DLQ). Only the holder of the
 * private key can read it back; the request JWS then signs over this ciphertext, so the
 * token stays bound to the request.
 */
export async function sealStepToken(token: string, key: EncryptionKey): Promise<string> {
  return encryptCompact({ typ: STEP_TOKEN_TYP, cty: 'JWT' }, new TextEncoder().encode(token), key);
}

export type OpenedStepToken =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly reason: DecryptionProblem | 'not-a-jws'; readonly message: string };

// Strict UTF-8, then the pattern: only base64url and dots pass, so nothing decodes two ways.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The step token inside a request's JWE, or why not: not one of our JWEs, a key the service
 * does not hold (or has retired), a failed decryption, or a plaintext that is not a compact
 * JWS. The token itself is then verified like any step token (P3). Never throws.
 */
export async function openStepToken(jwe: string, keyFor: DecryptionKeyLookup): Promise<OpenedStepToken> {
  const opened = await decryptCompact(jwe, {
    maxBytes: MAX_COMPACT_BYTES.tokenJwe,
    typ: STEP_TOKEN_TYP,
    what: 'the identity token JWE',
    keyFor,
  });
  if (!opened.ok) return opened;
  const notJws = {
    ok: false,
    reason: 'not-a-jws',
    message: 'the identity token JWE holds no compact JWS',
  } as const;
  if (opened.plaintext.length > MAX_COMPACT_BYTES.token) return notJws;
  let token: string;
  try {
    token = strictUtf8.decode(opened.plaintext);
  } catch {
    return notJws;
  }
  return COMPACT_JWS.test(token) ? { ok: true, token } : notJws;
}
