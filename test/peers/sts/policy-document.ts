/**
 * IAM trust policy documents as the peer's roles hold them (IAM User Guide, "IAM JSON policy
 * element reference": Version, Statement, Sid, Effect, Principal, Action, Condition). Read
 * once when the peer starts, the way IAM validates a policy at CreateRole: an element this
 * peer does not implement (NotPrincipal, NotAction, an unknown operator) is refused there,
 * never silently ignored at evaluation time.
 */
import { isKnownOperator } from './policy-conditions.ts';

/** A Condition block: operator → condition key → one value or several (IAM allows both). */
export type ConditionBlock = Record<
  string,
  Record<string, string | boolean | ReadonlyArray<string | boolean>>
>;

export type PolicyStatement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: { Federated: string | readonly string[] };
  Action: string | readonly string[];
  Condition?: ConditionBlock;
};

export type PolicyDocument = {
  Version: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: PolicyStatement | readonly PolicyStatement[];
};

export type Condition = { operator: string; key: string; values: readonly string[] };

export type Statement = {
  label: string;
  effect: 'Allow' | 'Deny';
  federated: readonly string[];
  actions: readonly string[];
  conditions: readonly Condition[];
};

export type TrustPolicy = { statements: readonly Statement[] };

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Condition']);

function fail(message: string): never {
  throw new Error(`trust policy: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a non-empty list of strings, as IAM accepts for Action and Federated. */
function stringList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v !== '')) {
    fail(`${what} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

function conditionsOf(block: unknown, label: string): Condition[] {
  if (block === undefined) return [];
  if (!isObject(block)) fail(`${label}: Condition must be an object`);
  return Object.entries(block).flatMap(([operator, keys]) => {
    if (!isKnownOperator(operator)) fail(`${label}: unsupported condition operator ${operator}`);
    if (!isObject(keys)) fail(`${label}: ${operator} must map condition keys to values`);
    return Object.entries(keys).map(([key, raw]) => {
      const list = Array.isArray(raw) ? raw : [raw];
      // IAM stores booleans and numbers in conditions as their string forms.
      if (list.length === 0 || !list.every((v) => ['string', 'boolean', 'number'].includes(typeof v))) {
        fail(`${label}: ${operator} ${key} needs one or more string values`);
      }
      return { operator, key, values: list.map(String) };
    });
  });
}

function statementOf(raw: unknown, index: number): Statement {
  if (!isObject(raw)) fail(`statement ${index} is not an object`);
  const label = typeof raw.Sid === 'string' ? `statement ${index} (${raw.Sid})` : `statement ${index}`;
  const unknown = Object.keys(raw).filter((key) => !STATEMENT_KEYS.has(key));
  if (unknown.length > 0) fail(`${label}: ${unknown.join(', ')} not supported by this peer`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') fail(`${label}: Effect must be Allow or Deny`);
  // A web identity role is assumed by an OIDC provider: only Federated principals apply.
  if (!isObject(raw.Principal) || Object.keys(raw.Principal).join() !== 'Federated') {
    fail(`${label}: Principal must be {"Federated": …}`);
  }
  return {
    label,
    effect: raw.Effect,
    federated: stringList(raw.Principal.Federated, `${label}: Principal.Federated`),
    actions: stringList(raw.Action, `${label}: Action`),
    conditions: conditionsOf(raw.Condition, label),
  };
}

/** Validates a document (an object, or the JSON string IAM stores) and reads its statements. */
export function readTrustPolicy(document: PolicyDocument | string): TrustPolicy {
  let parsed: unknown = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch {
      fail('not JSON');
    }
  }
  if (!isObject(parsed)) fail('not a JSON object');
  if (typeof parsed.Version !== 'string' || !VERSIONS.has(parsed.Version)) {
    fail('Version must be 2012-10-17 (or the legacy 2008-10-17)');
  }
  const raw = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  if (parsed.Statement === undefined || raw.length === 0) fail('no Statement');
  return { statements: raw.map(statementOf) };
}

/** IAM's ARN of the OIDC provider for an issuer: the issuer URL without its scheme. */
export function providerArn(accountId: string, issuer: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${providerHost(issuer)}`;
}

/** The prefix of the provider's condition keys (`<host/path>:aud`, `<host/path>:sub`). */
export function providerHost(issuer: string): string {
  return issuer.replace(/^https?:\/\//, '');
}
