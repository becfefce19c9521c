import { boolean, text, url } from '../../options/parsers.ts';
import { options } from '../../options/spec.ts';

/** `approvals list`, `approve`, `reject`: where the service is and where approvers sign in. */
export const APPROVER_OPTIONS = options({
  serviceUrl: {
    flag: '--service-url',
    env: 'APPROVALS_SERVICE_URL',
    parse: url(['https', 'http']),
    required: true,
    accepts: "the decision service's HTTP address, where /approvals is served",
  },
  issuer: {
    flag: '--issuer',
    env: 'APPROVER_ISSUER',
    parse: url(['https', 'http']),
    required: true,
    accepts: "your organisation's OIDC issuer (the service's APPROVER_ISSUER)",
  },
  clientId: {
    flag: '--client-id',
    env: 'APPROVER_CLIENT_ID',
    parse: text,
    required: true,
    accepts: 'the approvals client id at that issuer (a public client allowed the device grant)',
  },
  tokenCache: {
    flag: '--token-cache',
    env: 'APPROVER_TOKEN_CACHE',
    parse: text,
    accepts: 'where your ID token is kept (0600) until it expires',
    defaultText: '~/.cache/pulsar-gate/approver-token.json',
  },
  allowInsecureIssuer: {
    flag: '--allow-insecure-issuer',
    env: 'ALLOW_INSECURE_ISSUER',
    parse: boolean,
    fallback: false,
    accepts: 'true: allow an http:// issuer (tests only)',
  },
});

export const ACT_OPTIONS = options({
  ...APPROVER_OPTIONS,
  comment: {
    flag: '--comment',
    parse: text,
    accepts: 'why: shown in the audit trail; required to reject (it is the reason the pipe shows)',
  },
});
