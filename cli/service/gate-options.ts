import { MAX_GATE_TOKEN_SECONDS } from '../../src/events/gate-token.ts';
import { gateIssuerUrl } from '../options/gate-issuer-url.ts';
import { integer, text } from '../options/parsers.ts';
import { options } from '../options/spec.ts';

/** The service as an OIDC issuer for AWS (issue 14): part of SERVE_OPTIONS. */
export const GATE_OPTIONS = options({
  gateIssuer: {
    flag: '--gate-issuer',
    env: 'GATE_ISSUER',
    parse: gateIssuerUrl,
    accepts:
      'the https URL AWS knows this service by as an OIDC provider: allows carry gate tokens it signs (README, "Enforce the gate")',
    defaultText: 'none: gate-mode requests are denied',
  },
  gateKeysFile: {
    flag: '--gate-keys',
    env: 'GATE_KEYS_FILE',
    parse: text,
    accepts: 'the gate-issuer key set from `keys generate --gate` (current, next and retired keys)',
    defaultText: 'gate-keys.json beside SIGNING_KEY_FILE',
  },
  gateTokenTtlSeconds: {
    flag: '--gate-token-ttl',
    env: 'GATE_TOKEN_TTL',
    parse: integer(5, MAX_GATE_TOKEN_SECONDS),
    fallback: MAX_GATE_TOKEN_SECONDS,
    accepts: `seconds, 5–${MAX_GATE_TOKEN_SECONDS}: how long a gate token lives`,
  },
});
