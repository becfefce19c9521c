import { boolean, text } from '../../options/parsers.ts';
import { POLICY_DIR_OPTION } from '../../options/shared-options.ts';
import { options, type Rule } from '../../options/spec.ts';

/** `policy test`: one request file, or a suite of test cases, against one policy directory. */
export const POLICY_TEST_OPTIONS = options({
  policyDir: POLICY_DIR_OPTION,
  request: {
    flag: '--request',
    parse: text,
    accepts: 'a JSON file: { claims, request, now? } (see examples/policies/requests/); or --suite',
  },
  suite: {
    flag: '--suite',
    parse: text,
    accepts:
      'a directory of test files (*.json: named cases with expectations; see examples/policies/tests/)',
  },
  junit: {
    flag: '--junit',
    parse: text,
    accepts: 'with --suite: write a JUnit XML report there (Bitbucket Pipelines reads test-results/**/*.xml)',
  },
});

/** One request or one suite; a JUnit report only describes a suite. */
export const oneTestKind: Rule<typeof POLICY_TEST_OPTIONS> = (v) => {
  if (v.request !== undefined && v.suite !== undefined)
    return [{ key: 'suite', issue: 'cannot be used with --request; give one of them' }];
  if (v.request === undefined && v.suite === undefined)
    return [{ key: 'request', issue: 'is required (or --suite)' }];
  if (v.junit !== undefined && v.suite === undefined)
    return [{ key: 'junit', issue: 'needs --suite: a single request has no test report' }];
  return [];
};

/** `policy validate`: the directory alone. */
export const POLICY_VALIDATE_OPTIONS = options({ policyDir: POLICY_DIR_OPTION });

/** `policy format`: Cedar's formatter over the directory's *.cedar files. */
export const POLICY_FORMAT_OPTIONS = options({
  policyDir: POLICY_DIR_OPTION,
  check: {
    flag: '--check',
    parse: boolean,
    fallback: false,
    accepts: 'only check: list the files that are not formatted and exit 1 (for CI); nothing is written',
  },
});
