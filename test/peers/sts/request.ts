/**
 * Reading and validating an AssumeRoleWithWebIdentity query request the way STS does: the
 * service model's member constraints first (AWS STS API Reference, "Request Parameters"),
 * reported as `ValidationError` "N validation error(s) detected: …". The token is a sensitive
 * member, so its value is never echoed.
 */
import { StsError } from './errors.ts';

export type AssumeRequest = {
  roleArn: string;
  sessionName: string;
  token: string;
  /** As requested, or the API's default of 3600. NaN when it was not a number. */
  durationSeconds: number;
  durationRequested: boolean;
  policy?: string;
  policyArns: string[];
};

export const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;
const SESSION_NAME = /^[\w+=,.@-]*$/;
/** The model's `[\u0009\u000A\u000D\u0020-\u00FF]+`: tab, LF, CR and Latin-1 printables. */
function policyCharsOk(policy: string): boolean {
  return (
    policy.length > 0 &&
    [...policy].every((c) => c === '\t' || c === '\n' || c === '\r' || (c >= ' ' && c <= '\u00ff'))
  );
}

/** Reads the members without judging them, so even a rejected call can be recorded. */
export function readRequest(params: URLSearchParams): AssumeRequest {
  const members = [...params.entries()]
    .map(([name, value]) => ({ index: /^PolicyArns\.member\.(\d+)\.arn$/.exec(name)?.[1], value }))
    .filter((m): m is { index: string; value: string } => m.index !== undefined)
    .sort((a, b) => Number(a.index) - Number(b.index));
  const duration = params.get('DurationSeconds');
  const policy = params.get('Policy');
  return {
    roleArn: params.get('RoleArn') ?? '',
    sessionName: params.get('RoleSessionName') ?? '',
    token: params.get('WebIdentityToken') ?? '',
    durationSeconds: duration === null ? 3600 : /^\d+$/.test(duration) ? Number(duration) : Number.NaN,
    durationRequested: duration !== null,
    ...(policy === null ? {} : { policy }),
    policyArns: members.map((m) => m.value),
  };
}

export function validateAction(params: URLSearchParams): void {
  const action = params.get('Action');
  const version = params.get('Version');
  if (action === null) throw new StsError('InvalidAction', 'The action or operation requested is invalid.');
  if (action !== 'AssumeRoleWithWebIdentity' || (version !== null && version !== '2011-06-15')) {
    throw new StsError(
      'InvalidAction',
      `Could not find operation ${action} for version ${version ?? 'NO_VERSION'}`,
    );
  }
}

export function validateRequest(params: URLSearchParams, request: AssumeRequest): void {
  const problems: string[] = [];
  const check = (member: string, shown: string | null, ok: boolean, constraint: string) => {
    if (!ok)
      problems.push(`Value ${shown} at '${member}' failed to satisfy constraint: Member ${constraint}`);
  };
  const quoted = (value: string) => `'${value}'`;
  const { roleArn, sessionName, token, durationSeconds, policy, policyArns } = request;
  const present = (name: string) => params.get(name) !== null;

  check('roleArn', 'null', present('RoleArn'), 'must not be null');
  if (present('RoleArn'))
    check('roleArn', quoted(roleArn), roleArn.length >= 20, 'must have length greater than or equal to 20');
  check('roleSessionName', 'null', present('RoleSessionName'), 'must not be null');
  if (present('RoleSessionName')) {
    const shown = quoted(sessionName);
    check('roleSessionName', shown, sessionName.length >= 2, 'must have length greater than or equal to 2');
    check('roleSessionName', shown, sessionName.length <= 64, 'must have length less than or equal to 64');
    check(
      'roleSessionName',
      shown,
      SESSION_NAME.test(sessionName),
      'must satisfy regular expression pattern: [\\w+=,.@-]*',
    );
  }
  check('webIdentityToken', 'null', present('WebIdentityToken'), 'must not be null');
  if (present('WebIdentityToken')) {
    const redacted = "'*** Sensitive Data Redacted ***'";
    check('webIdentityToken', redacted, token.length >= 4, 'must have length greater than or equal to 4');
    check(
      'webIdentityToken',
      redacted,
      token.length <= 20000,
      'must have length less than or equal to 20000',
    );
  }
  if (request.durationRequested) {
    const shown = quoted(params.get('DurationSeconds') ?? '');
    check('durationSeconds', shown, Number.isInteger(durationSeconds), 'must be an integer');
    check('durationSeconds', shown, !(durationSeconds < 900), 'must have value greater than or equal to 900');
    check(
      'durationSeconds',
      shown,
      !(durationSeconds > 43200),
      'must have value less than or equal to 43200',
    );
  }
  if (policy !== undefined) {
    check('policy', quoted(policy), policy.length <= 2048, 'must have length less than or equal to 2048');
    check(
      'policy',
      quoted(policy),
      policyCharsOk(policy),
      'must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
    );
  }
  check(
    'policyArns',
    `'[${policyArns.join(', ')}]'`,
    policyArns.length <= 10,
    'must have length less than or equal to 10',
  );

  if (problems.length > 0) {
    const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected`;
    throw new StsError('ValidationError', `${count}: ${problems.join('; ')}`);
  }
  // Checked after the model's constraints, with IAM's own wording.
  if (!ROLE_ARN.test(roleArn)) throw new StsError('ValidationError', 'Request ARN is invalid');
  const badArn = policyArns.find((arn) => !POLICY_ARN.test(arn));
  if (badArn !== undefined) throw new StsError('ValidationError', `Invalid ARN: ${badArn}`);
}
