import { text } from '../../options/parsers.ts';
import { POLICY_DIR_OPTION } from '../../options/shared-options.ts';
import { options } from '../../options/spec.ts';

/** `policy test`: one request file against one policy directory. */
export const POLICY_TEST_OPTIONS = options({
  policyDir: POLICY_DIR_OPTION,
  request: {
    flag: '--request',
    required: true,
    parse: text,
    accepts: 'a JSON file: { claims, request, now? } (see examples/policies/requests/)',
  },
});
