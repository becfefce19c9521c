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
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
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
