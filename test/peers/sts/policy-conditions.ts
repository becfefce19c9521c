/**
 * IAM condition operators over a request context (IAM User Guide, "IAM JSON policy elements:
 * Condition operators" and "Single-valued vs. multivalued context keys"):
 * - String operators compare case-sensitively (…IgnoreCase does not); `StringLike` takes `*`
 *   (any run of characters) and `?` (one character).
 * - Several values for one key are OR'd; the negated operators match when the context value
 *   matches none of them.
 * - A key absent from the request: a positive operator is false, a negated one true, an
 *   `…IfExists` operator true.
 * - Set operators over multivalued keys (`aws:TagKeys`): `ForAllValues:` holds when every
 *   request value passes (and for an absent or empty key), `ForAnyValue:` when at least one
 *   does (false for an absent key).
 * - `Null`: "true" holds when the key is absent, "false" when it is present.
 * Condition key names are case-insensitive; the context map holds them lower-cased.
 */

export type RequestContext = ReadonlyMap<string, readonly string[]>;

const BASE = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
]);

type Operator = { set?: 'ForAllValues' | 'ForAnyValue'; base: string; ifExists: boolean };

function parseOperator(name: string): Operator | undefined {
  const match = /^(?:(ForAllValues|ForAnyValue):)?(\w+?)(IfExists)?$/.exec(name);
  if (match === null) return undefined;
  const [, set, base = '', ifExists] = match;
  if (base === 'Null')
    return set === undefined && ifExists === undefined ? { base, ifExists: false } : undefined;
  if (!BASE.has(base)) return undefined;
  const qualifier =
    set === 'ForAllValues'
      ? { set: 'ForAllValues' as const }
      : set === 'ForAnyValue'
        ? { set: 'ForAnyValue' as const }
        : {};
  return { ...qualifier, base, ifExists: ifExists !== undefined };
}

export function isKnownOperator(name: string): boolean {
  return parseOperator(name) !== undefined;
}

export function stringLike(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function matchesOne(base: string, policyValue: string, value: string): boolean {
  if (base.includes('Like')) return stringLike(policyValue, value);
  if (base.includes('IgnoreCase')) return policyValue.toLowerCase() === value.toLowerCase();
  return policyValue === value;
}

/** One request value against the condition's values: any of them (OR), or none when negated. */
function passes(base: string, policyValues: readonly string[], value: string): boolean {
  const matched = policyValues.some((policyValue) => matchesOne(base, policyValue, value));
  return base.includes('Not') ? !matched : matched;
}

export function conditionHolds(
  operatorName: string,
  key: string,
  policyValues: readonly string[],
  context: RequestContext,
): boolean {
  const operator = parseOperator(operatorName);
  // Unknown operators are refused when the policy is read; fail closed regardless.
  if (operator === undefined) return false;
  const values = context.get(key.toLowerCase());
  const absent = values === undefined || values.length === 0;
  if (operator.base === 'Null') return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  if (operator.set === 'ForAllValues') {
    return absent || values.every((value) => passes(operator.base, policyValues, value));
  }
  if (absent) return operator.ifExists || (operator.set === undefined && operator.base.includes('Not'));
  if (operator.set === 'ForAnyValue')
    return values.some((value) => passes(operator.base, policyValues, value));
  // A single-valued operator: the key's value (for a multivalued key, a negated operator holds
  // only when no request value matches, a positive one when any does).
  return operator.base.includes('Not')
    ? values.every((value) => passes(operator.base, policyValues, value))
    : values.some((value) => passes(operator.base, policyValues, value));
}
