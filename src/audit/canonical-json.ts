import { createHash } from 'node:crypto';

/**
 * JSON Canonicalization Scheme (RFC 8785) for the values an audit entry holds: objects with
 * members sorted by their UTF-16 code units (§3.2.3; JavaScript's default string order),
 * no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (§3.2.2.2,
 * §3.2.2.3). Members whose value is `undefined` are left out, as JSON.stringify does, so a
 * record with an absent optional field hashes the same before and after a JSON round trip.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // RFC 8785 §3.2.2.3: NaN and Infinity have no JSON form.
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
    return JSON.stringify(value);
  }
  // Plain loops and string concatenation: `audit verify` canonicalises every entry it reads,
  // and this is most of its time (bench/audit-verify.ts).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i ? ',' : ''}${canonicalJson(value[i] ?? null)}`;
    return `${out}]`;
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    let out = '{';
    // sort() compares UTF-16 code units, as §3.2.3 orders members.
    for (const key of Object.keys(object).sort()) {
      const member = object[key];
      if (member === undefined) continue;
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
    }
    return `${out}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

/** base64url SHA-256 of the canonical form: the digest that chains audit entries. */
export function digestOf(value: unknown): string {
  return digestOfCanonical(canonicalJson(value));
}

/** digestOf for a value already in canonical form (one canonicalisation per entry when verifying). */
export function digestOfCanonical(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
