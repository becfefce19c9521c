// Issue 17 §2: every secret of every command can come from a file (`X_FILE`, `--x-file`), so it
// never stands in `ps`, `docker inspect` or a pod spec. An option whose name says it holds a
// credential but is not marked secret would have no file form and would be echoed in problems.
import { describe, expect, it } from 'vitest';
import { ACT_OPTIONS, APPROVER_OPTIONS } from '../../../cli/admin/approvals/approvals-options.ts';
import { AUDIT_EXPORT_OPTIONS, AUDIT_SOURCE_OPTIONS } from '../../../cli/admin/audit/audit-options.ts';
import { KEYS_GENERATE_OPTIONS, KEYS_ROTATE_OPTIONS } from '../../../cli/admin/keys/keys-options.ts';
import { ONBOARD_OPTIONS } from '../../../cli/admin/onboard/onboard-options.ts';
import { POLICY_TEST_OPTIONS } from '../../../cli/admin/policy/policy-options.ts';
import { readOptions } from '../../../cli/options/read.ts';
import type { OptionTable } from '../../../cli/options/spec.ts';
import { SERVE_OPTIONS } from '../../../cli/service/serve-options.ts';
import { WEBHOOKS_OPTIONS } from '../../../cli/webhooks/webhooks-options.ts';
import { VARIABLES } from '../../../pipe/variables.ts';

const TABLES: Record<string, OptionTable> = {
  'pipe (request)': VARIABLES,
  serve: SERVE_OPTIONS,
  'keys generate': KEYS_GENERATE_OPTIONS,
  'keys rotate': KEYS_ROTATE_OPTIONS,
  'audit (source)': AUDIT_SOURCE_OPTIONS,
  'audit export': AUDIT_EXPORT_OPTIONS,
  'policy test': POLICY_TEST_OPTIONS,
  onboard: ONBOARD_OPTIONS,
  webhooks: WEBHOOKS_OPTIONS,
  'approvals (sign-in)': APPROVER_OPTIONS,
  'approve / reject': ACT_OPTIONS,
};

// A name that holds a credential itself. `…_FILE` names a file (read by the command), and
// the keys/topic options name public material or a place, not a secret.
const CREDENTIAL = /TOKEN|SECRET|PASSWORD|PASSPHRASE|CREDENTIAL|PRIVATE/;
// Names that match but hold no credential: the pipe's credential mode (`gate` or `step`), the
// gate token's lifetime in seconds, and the path of the approver's 0600 token cache.
const NOT_A_CREDENTIAL = new Set(['CREDENTIALS', 'GATE_TOKEN_TTL', 'APPROVER_TOKEN_CACHE']);
const namesOf = (table: OptionTable) =>
  Object.entries(table).map(([key, spec]) => ({ key, spec, name: spec.env ?? spec.flag.toUpperCase() }));

describe('every secret has a *_FILE form', () => {
  for (const [command, table] of Object.entries(TABLES)) {
    it(`${command}: every credential-bearing option is a secret (and so readable from X_FILE)`, () => {
      const credentials = namesOf(table).filter(
        ({ name }) => CREDENTIAL.test(name) && !name.endsWith('_FILE') && !NOT_A_CREDENTIAL.has(name),
      );
      for (const { name, spec } of credentials)
        expect({ name, secret: spec.secret }).toEqual({ name, secret: true });
    });

    it(`${command}: each secret is read from its _FILE variable and never echoed`, () => {
      for (const { key, spec } of namesOf(table).filter(({ spec }) => spec.secret)) {
        const env = spec.env;
        expect(env, `${command} ${key} has no variable`).toBeDefined();
        const secret = 'file-held-value';
        const read = readOptions(
          { [key]: spec },
          { flags: {}, env: { [`${env}_FILE`]: '/run/secret' } },
          [],
          (path) => (path === '/run/secret' ? `${secret}\n` : ''),
        );
        // Whatever the parser says of it, the value came from the file and no problem shows it.
        if (read.ok) expect(read.values[key]).toBe(secret);
        else for (const line of read.problems) expect(line).not.toContain(secret);
      }
    });
  }
});
