import { gateIssuerUrl } from '../../options/gate-issuer-url.ts';
import { boolean, integer, oneOf, text, topic } from '../../options/parsers.ts';
import { PULSAR_URL_OPTION, pulsarTokenOption } from '../../options/shared-options.ts';
import { options } from '../../options/spec.ts';

/** `keys generate`: where to write, which algorithm, and whether to keep the published keys. */
export const KEYS_GENERATE_OPTIONS = options({
  out: {
    flag: '--out',
    required: true,
    parse: text,
    accepts: 'a directory for service-key.json (private) and decision-keys.json (public)',
  },
  alg: { flag: '--alg', parse: oneOf(['ES256', 'EdDSA']), fallback: 'ES256', accepts: 'ES256 or EdDSA' },
  gate: {
    flag: '--gate',
    parse: boolean,
    fallback: false,
    accepts:
      'true or false: write only gate-keys.json, the gate-issuer key set (current and next key) for GATE_ISSUER; with an existing set, rotate it',
  },
  add: {
    flag: '--add',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: keep the keys already in decision-keys.json (old keys keep verifying)',
  },
});

/** `keys rotate`: the keys directory, where to announce the next set, and how long the old key lives. */
export const KEYS_ROTATE_OPTIONS = options({
  dir: {
    flag: '--dir',
    required: true,
    parse: text,
    accepts: 'the keys directory of `keys generate` (service-key.json, decision-keys.json)',
  },
  keysTopic: {
    flag: '--keys-topic',
    env: 'KEYS_TOPIC',
    required: true,
    parse: topic,
    accepts: 'the topic pipes read key sets from',
  },
  pulsarUrl: { ...PULSAR_URL_OPTION, required: true },
  pulsarToken: pulsarTokenOption('a token whose role may produce on the keys topic'),
  graceSeconds: {
    flag: '--grace',
    parse: integer(0, 30 * 86_400),
    fallback: 3600,
    accepts: 'seconds, 0–2592000: how long the replaced key keeps verifying decisions',
  },
});

/** `keys publish-oidc`: the gate issuer's discovery document and JWKS as static files. */
export const KEYS_PUBLISH_OIDC_OPTIONS = options({
  issuer: {
    flag: '--issuer',
    env: 'GATE_ISSUER',
    required: true,
    parse: gateIssuerUrl,
    accepts: 'GATE_ISSUER, exactly as `serve` has it',
  },
  gateKeys: {
    flag: '--gate-keys',
    env: 'GATE_KEYS_FILE',
    required: true,
    parse: text,
    accepts: 'the gate-issuer key set (gate-keys.json from `keys generate --gate`)',
  },
  out: {
    flag: '--out',
    required: true,
    parse: text,
    accepts: 'a directory for .well-known/openid-configuration and jwks.json (the site under GATE_ISSUER)',
  },
});
