import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';

/**
 * Defence in depth for P5: credential metadata travels in the request event, the keys never do.
 * Refuses fields named like AWS secrets and any value shaped like an access key id (AKIA… long-
 * term, ASIA… temporary). Returns where the problem is, never the value.
 */
const SECRET_FIELD = /^(secret_?access_?key|session_?token|access_?key_?id|aws_?secret.*|credentials?)$/i;
const ACCESS_KEY_ID = /(?:^|[^A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/;

export function credentialSecretProblem(value: unknown, path = 'credentials'): string | undefined {
  if (typeof value === 'string') {
    return ACCESS_KEY_ID.test(value) ? `${path} holds what looks like an AWS access key id` : undefined;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = credentialSecretProblem(item, `${path}[${index}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const [name, item] of Object.entries(value)) {
      if (SECRET_FIELD.test(name))
        return `${path} has a field named like an AWS secret (${printable(name, 40)})`;
      const problem = credentialSecretProblem(item, `${path}.${printable(name, 40)}`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
