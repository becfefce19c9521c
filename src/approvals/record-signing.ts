import type { JWK } from 'jose';
import { isSignatureAlgorithm } from '../jose/algorithms.ts';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { payloadJson } from '../jose/json-payload.ts';
import { publicMembersOf } from '../jose/jwk-members.ts';
import { typMatches } from '../jose/media-type.ts';
import { importPublicKey } from '../jose/public-key.ts';
import { signCompact } from '../jose/sign.ts';
import { importSigningKey } from '../jose/signing-key.ts';
import { verifyCompact } from '../jose/verify.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { type ApprovalRecord, parseApprovalRecord } from './records.ts';

/**
 * Its own type (RFC 8725 §3.11): an approval record is never read as a decision, and a
 * decision or key set is never read as an approval record, though one key signs them all.
 */
export const APPROVAL_RECORD_TYP = 'application/pulsar-gate.approval-record+jws';

/** Records on the approvals topic are bounded like every other JWS we read. */
const MAX_RECORD_BYTES = 128 * 1024;

export interface RecordSeal {
  readonly kid: string;
  sign(record: ApprovalRecord): Promise<string>;
  /** The record, when the service's key signed it with the approval-record type; else undefined. */
  open(jws: string): Promise<ApprovalRecord | undefined>;
}

/**
 * The accepting replica signs what it verified (the approver's identity from their ID token,
 * never the token itself), and every replica checks that signature before a record counts:
 * write access to the approvals topic alone does not make an approval (docs/design.md §7).
 * Records are signed with the service's signing key (SIGNING_KEY_FILE), the one every replica
 * holds, and checked against it and the keys of the service's newest key set (`trusted`):
 * after `keys rotate`, a record the previous key sealed keeps counting for that key's grace
 * period (its `notAfter`), so approvals given before a rotation survive the restart after it.
 * A key past its grace, or one the set does not name, seals nothing (RFC 7515 §4.1.4: the
 * `kid` only selects among keys we already trust).
 */
export async function recordSeal(
  privateJwk: JWK,
  trusted?: TrustedKeys,
  now: () => number = Date.now,
): Promise<RecordSeal> {
  const signing = await importSigningKey(privateJwk, 'approval record');
  const { kid, alg } = signing;
  const own = {
    alg,
    key: await importPublicKey(publicMembersOf(privateJwk), alg, `approval record key ${kid}`),
  };
  const keyFor = (named: unknown) => {
    if (named === kid) return own;
    const key = typeof named === 'string' ? trusted?.keys.get(named) : undefined;
    if (key === undefined || (key.notAfter !== undefined && now() > key.notAfter)) return undefined;
    return { alg: key.alg, key: key.key };
  };
  return Object.freeze({
    kid,
    sign: (record: ApprovalRecord) =>
      signCompact(
        { kid, typ: APPROVAL_RECORD_TYP },
        new TextEncoder().encode(JSON.stringify(record)),
        signing,
      ),
    async open(jws: string): Promise<ApprovalRecord | undefined> {
      const parts = await readCompact(jws, MAX_RECORD_BYTES, 'approval record');
      if (isCompactProblem(parts)) return undefined;
      const { typ, kid: named, alg: header } = parts.header;
      const verifying = keyFor(named);
      if (!typMatches(typ, APPROVAL_RECORD_TYP) || verifying === undefined || !isSignatureAlgorithm(header))
        return undefined;
      const verified = await verifyCompact(jws, verifying);
      return verified.ok ? parseApprovalRecord(payloadJson(verified.payload)) : undefined;
    },
  });
}
