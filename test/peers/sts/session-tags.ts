/**
 * Session tags from a web identity token (IAM User Guide, "Passing session tags in AWS STS" →
 * "Passing session tags using AssumeRoleWithWebIdentity"): the `https://aws.amazon.com/tags`
 * claim holds `principal_tags` ({key: [value]}, each value an array of exactly one string) and
 * `transitive_tag_keys` ([key, …]). The rules of "Session tagging rules": at most 50 tags,
 * keys 1–128 and values 0–256 characters of letters, spaces, numbers and `_ . : / = + - @`;
 * the `aws:` prefix is AWS's own. AWS documents no message for a malformed claim; the peer
 * answers InvalidIdentityToken (the token is what is wrong) and says why in `reason`.
 */
import { StsError } from './errors.ts';

export const TAGS_CLAIM = 'https://aws.amazon.com/tags';

export type SessionTags = {
  tags: Readonly<Record<string, string>>;
  transitiveTagKeys: readonly string[];
};

const MAX_TAGS = 50;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function invalid(reason: string): never {
  throw new StsError(
    'InvalidIdentityToken',
    'The session tags in the web identity token are invalid',
    reason,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKey(key: string): void {
  if (key.length < 1 || key.length > 128) invalid(`tag key of ${key.length} characters (1–128)`);
  if (!TAG_CHARS.test(key)) invalid(`tag key ${JSON.stringify(key)} has characters AWS does not allow`);
  if (key.toLowerCase().startsWith('aws:')) invalid(`tag key ${key} uses the reserved aws: prefix`);
}

function tagValue(key: string, raw: unknown): string {
  if (!Array.isArray(raw) || raw.length !== 1 || typeof raw[0] !== 'string') {
    invalid(`principal_tags.${key} must be an array of exactly one string`);
  }
  const value: string = raw[0];
  if (value.length > 256) invalid(`tag ${key}: value of ${value.length} characters (at most 256)`);
  if (!TAG_CHARS.test(value)) invalid(`tag ${key}: value has characters AWS does not allow`);
  return value;
}

/** The token's session tags, undefined when it carries none; throws on a malformed claim. */
export function sessionTagsOf(claims: Readonly<Record<string, unknown>>): SessionTags | undefined {
  if (!(TAGS_CLAIM in claims)) return undefined;
  const claim = claims[TAGS_CLAIM];
  if (!isObject(claim)) invalid(`${TAGS_CLAIM} is not an object`);
  const principal = claim.principal_tags ?? {};
  if (!isObject(principal)) invalid('principal_tags is not an object');
  const keys = Object.keys(principal);
  if (keys.length > MAX_TAGS) invalid(`${keys.length} session tags (at most ${MAX_TAGS})`);
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const key of keys) {
    checkKey(key);
    // Tag keys are case-insensitive in IAM: `Env` and `env` would be the same tag twice.
    if (seen.has(key.toLowerCase())) invalid(`tag key ${key} is given twice (keys are case-insensitive)`);
    seen.add(key.toLowerCase());
    tags[key] = tagValue(key, principal[key]);
  }
  const transitive = claim.transitive_tag_keys ?? [];
  if (!Array.isArray(transitive) || !transitive.every((k) => typeof k === 'string')) {
    invalid('transitive_tag_keys is not an array of strings');
  }
  // Fail closed: a transitive key must name a tag the session gets.
  const stray = transitive.find((k) => !keys.some((key) => key.toLowerCase() === k.toLowerCase()));
  if (stray !== undefined) invalid(`transitive tag key ${stray} is not a session tag`);
  if (keys.length === 0 && transitive.length === 0) return undefined;
  return { tags, transitiveTagKeys: transitive };
}
