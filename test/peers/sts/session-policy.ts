/**
 * Session policy checks (AWS STS API Reference, AssumeRoleWithWebIdentity `Policy` and
 * `PolicyArns`; IAM User Guide "Session policies"): the inline policy must be a policy document,
 * and inline plus managed ARNs share one packed allowance. AWS packs into an undocumented binary
 * form; this peer counts the minified JSON plus the ARNs against 2048 characters.
 */
import { StsError } from './errors.ts';

const PACKED_LIMIT = 2048;
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

function malformed(message: string): StsError {
  return new StsError('MalformedPolicyDocument', message);
}

function parseDocument(policy: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw malformed('Syntax errors in policy.');
  }
  return document as Record<string, unknown>;
}

function checkStatements(statement: unknown): void {
  const statements = Array.isArray(statement) ? statement : [statement];
  const valid = statements.every(
    (s) =>
      typeof s === 'object' &&
      s !== null &&
      ((s as Record<string, unknown>).Effect === 'Allow' || (s as Record<string, unknown>).Effect === 'Deny'),
  );
  if (statements.length === 0 || !valid) throw malformed('Syntax errors in policy.');
}

/** Returns PackedPolicySize (percent of the allowance used), or undefined without a session policy. */
export function checkSessionPolicy(
  policy: string | undefined,
  policyArns: readonly string[],
): number | undefined {
  if (policy === undefined && policyArns.length === 0) return undefined;
  let packed = policyArns.reduce((size, arn) => size + arn.length, 0);
  if (policy !== undefined) {
    const document = parseDocument(policy);
    if (document.Version === undefined) throw malformed('Missing required field Version');
    if (typeof document.Version !== 'string' || !VERSIONS.has(document.Version)) {
      throw malformed('The policy must contain a valid version string');
    }
    if (document.Statement === undefined) throw malformed('Missing required field Statement');
    checkStatements(document.Statement);
    packed += JSON.stringify(document).length;
  }
  const percent = Math.ceil((packed * 100) / PACKED_LIMIT);
  if (packed > PACKED_LIMIT) {
    throw new StsError(
      'PackedPolicyTooLarge',
      `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`,
      `packed session policy is ${packed} characters, over ${PACKED_LIMIT}`,
    );
  }
  return percent;
}
