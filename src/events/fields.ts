/** Small predicates shared by the request and decision schemas. */
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';

export type Check = (value: unknown) => boolean;

/** C0 and C1 control characters (Unicode general category Cc): never part of a valid field. */
const CONTROL = /\p{Cc}/u;

/** A non-empty single-line string no longer than `max`. */
export function isText(value: unknown, max = 1024): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !CONTROL.test(value);
}

export const text =
  (max = 1024): Check =>
  (value) =>
    isText(value, max);

export const matching =
  (pattern: RegExp): Check =>
  (value) =>
    typeof value === 'string' && pattern.test(value);

export const listOf =
  (item: Check, max = 64): Check =>
  (value) =>
    Array.isArray(value) && value.length <= max && value.every(item);

// RFC 7516 §7.1: five base64url segments; what it decrypts to is checked by whoever opens it.
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A compact JWE of at most `max` characters (its shape only). */
export const compactJwe =
  (max: number): Check =>
  (value) =>
    typeof value === 'string' && value.length <= max && COMPACT_JWE.test(value);

/** base64url without padding (RFC 7515 §2), e.g. a SHA-256 digest or an RFC 7638 thumbprint (43 chars). */
export const SHA256_B64URL = /^[A-Za-z0-9_-]{43}$/;

/** RFC 3339 date-time (CloudEvents 1.0 `time`), with a mandatory zone, that `Date` can also read. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && Number.isFinite(Date.parse(value));
}

export type FieldSpec = Readonly<Record<string, readonly [check: Check, required: boolean, accepts: string]>>;

/**
 * The first problem with `value` against `spec`, or undefined. Unknown members are refused:
 * a v1 payload has exactly these fields, so nothing unvalidated reaches a policy.
 */
export function fieldsProblem(value: unknown, where: string, spec: FieldSpec): string | undefined {
  if (!isRecord(value)) return `${where} must be an object`;
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(spec, name)) return `${where} has an unknown field "${printable(name, 40)}"`;
  }
  for (const [name, [check, required, accepts]] of Object.entries(spec)) {
    const member = value[name];
    if (member === undefined) {
      if (required) return `${where}.${name} is missing`;
    } else if (!check(member)) {
      return `${where}.${name} must be ${accepts}`;
    }
  }
  return undefined;
}
