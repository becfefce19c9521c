import { text } from '../../options/parsers.ts';
import { options } from '../../options/spec.ts';

/** `policy test`: one request file against one policy directory. */
export const POLICY_TEST_OPTIONS = options({
  policyDir: {
    flag: '--policy-dir',
    env: 'POLICY_DIR',
    required: true,
    parse: text,
    accepts: 'a directory of Cedar policies, schema.cedarschema and groups.json',
  },
  request: {
    flag: '--request',
    required: true,
    parse: text,
    accepts: 'a JSON file: { claims, request, now? } (see examples/policies/requests/)',
  },
});
