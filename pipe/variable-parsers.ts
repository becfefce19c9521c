import { list, matching } from '../cli/options/parsers.ts';
import { fail, ok, type Parse } from '../cli/options/spec.ts';
import { sessionNameProblem } from '../src/credentials/session-name.ts';

/** The parsers only the pipe's variables use; the shared ones are in cli/options/parsers.ts. */

/** An inline session policy: JSON with a Statement, within STS's 2048 characters. */
export const sessionPolicy: Parse<string> = (value) => {
  if (value.length > 2048) return fail(`is ${value.length} characters, over 2048`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail('is not valid JSON');
  }
  return typeof parsed === 'object' && parsed !== null && 'Statement' in parsed
    ? ok(value)
    : fail('is JSON but has no Statement');
};

const policyArn = matching(
  /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/,
  'is not a policy ARN',
);
const arnList = list(policyArn);

/** At most 10 managed policy ARNs, as STS allows. */
export const policyArns: Parse<readonly string[]> = (value) => {
  const parsed = arnList(value);
  if (parsed.ok && parsed.value.length > 10) return fail(`lists ${parsed.value.length} ARNs`);
  return parsed;
};

export const sessionName: Parse<string> = (value) => {
  const problem = sessionNameProblem(value);
  return problem ? fail(problem) : ok(value);
};
