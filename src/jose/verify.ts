import type { ProtectedHeaderParameters } from 'jose';
import type { AlgorithmKey } from './algorithms.ts';
import { loadJose } from './load.ts';

export type CompactVerification =
  | {
      readonly ok: true;
      readonly header: Readonly<ProtectedHeaderParameters>;
      readonly payload: Uint8Array;
    }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' };

/**
 * Verifies a compact JWS (RFC 7515 §5.2) with one key for the one algorithm it was imported
 * for: jose's compactVerify with `algorithms: [key.alg]`, so a header naming any other `alg`
 * is refused before any crypto (RFC 8725 §3.1). On top of jose, a `crit` or `b64` member is
 * refused even where jose would accept it: we produce neither, and an unencoded payload
 * (RFC 7797 §6, which jose implements) would be read differently by a verifier without it.
 * Pure: no I/O, no clock; never throws for any input.
 */
export async function verifyCompact(jws: string, key: AlgorithmKey): Promise<CompactVerification> {
  const { compactVerify, errors } = await loadJose();
  try {
    const { protectedHeader, payload } = await compactVerify(jws, key.key, { algorithms: [key.alg] });
    if (protectedHeader.crit !== undefined || Object.hasOwn(protectedHeader, 'b64'))
      return { ok: false, reason: 'malformed' };
    return { ok: true, header: protectedHeader, payload };
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof errors.JWSSignatureVerificationFailed ? 'signature' : 'malformed',
    };
  }
}
