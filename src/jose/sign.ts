import type { CompactJWSHeaderParameters } from 'jose';
import type { AlgorithmKey } from './algorithms.ts';
import { loadJose } from './load.ts';

/** Header members a signer sets; `alg` is not one of them: the key fixes it. */
export type SignedHeader = Readonly<Omit<CompactJWSHeaderParameters, 'alg'>>;

/**
 * Signs `payload` as a compact JWS (RFC 7515 §5.1, §7.1) with jose's CompactSign. The header's
 * `alg` is always the one the key was imported for, so a signer cannot label a signature with
 * another algorithm than the one that made it.
 */
export async function signCompact(
  header: SignedHeader,
  payload: Uint8Array,
  key: AlgorithmKey,
): Promise<string> {
  const { CompactSign } = await loadJose();
  return new CompactSign(payload).setProtectedHeader({ ...header, alg: key.alg }).sign(key.key);
}
