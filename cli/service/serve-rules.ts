import type { Problem, Rule } from '../options/spec.ts';
import { oneFactSource } from './bitbucket-options.ts';
import type { ServeOptions } from './serve-options.ts';

const OAUTH = ['oauthIssuer', 'oauthClientId', 'oauthClientSecret'] as const;

/** All of issuer, client id and secret, or none; never together with PULSAR_TOKEN. */
const oauthComplete: Rule<ServeOptions> = (v) => {
  if (OAUTH.every((key) => v[key] === undefined)) return [];
  const problems: Problem<ServeOptions>[] = OAUTH.filter((key) => v[key] === undefined).map((key) => ({
    key,
    issue: 'is required with the other OAUTH_ options',
  }));
  if (v.pulsarToken !== undefined)
    problems.push({ key: 'pulsarToken', issue: 'cannot be used with OAUTH_ISSUER; choose one' });
  return problems;
};

/** http:// issuers only where ALLOW_INSECURE_ISSUER says so (tests); their keys could be swapped in transit. */
const secureIssuers: Rule<ServeOptions> = (v) => {
  if (v.allowInsecureIssuer !== false) return [];
  const insecure = (url: string): boolean => !/^https:\/\//i.test(url);
  return [
    ...(v.issuers ?? [])
      .filter(insecure)
      .map((url) => ({ key: 'issuers' as const, issue: `${url} is not an https:// URL` })),
    ...(v.oauthIssuer !== undefined && insecure(v.oauthIssuer)
      ? [{ key: 'oauthIssuer' as const, issue: `${v.oauthIssuer} is not an https:// URL` }]
      : []),
  ];
};

/** A mirror without STATE_DIR is refused rather than dropped: no outbox would survive a restart. */
const mirrorsNeedStateDir: Rule<ServeOptions> = (v) =>
  v.stateDir !== undefined
    ? []
    : (['auditTopic', 'auditS3Bucket'] as const)
        .filter((key) => v[key] !== undefined)
        .map((key) => ({ key, issue: 'needs STATE_DIR (the audit trail and its outbox live there)' }));

export const SERVE_RULES: readonly Rule<ServeOptions>[] = [
  oauthComplete,
  secureIssuers,
  mirrorsNeedStateDir,
  oneFactSource,
];
