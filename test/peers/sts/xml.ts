/**
 * The awsQuery XML bodies STS answers with (AWS STS API Reference, AssumeRoleWithWebIdentity
 * "Response Elements" and its sample response; errors in the query-protocol `ErrorResponse`).
 */
import type { StsError } from './errors.ts';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** AWS prints timestamps without milliseconds: 2019-11-09T13:34:41Z. */
export function awsTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type AssumeResult = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  subject: string;
  assumedRoleArn: string;
  assumedRoleId: string;
  provider: string;
  audience: string;
  packedPolicySize?: number;
};

export function successXml(result: AssumeResult, requestId: string): string {
  const e = escapeXml;
  const packed =
    result.packedPolicySize === undefined
      ? ''
      : `<PackedPolicySize>${result.packedPolicySize}</PackedPolicySize>`;
  return [
    `<AssumeRoleWithWebIdentityResponse xmlns="${NS}">`,
    '<AssumeRoleWithWebIdentityResult>',
    '<Credentials>',
    `<AccessKeyId>${e(result.accessKeyId)}</AccessKeyId>`,
    `<SecretAccessKey>${e(result.secretAccessKey)}</SecretAccessKey>`,
    `<SessionToken>${e(result.sessionToken)}</SessionToken>`,
    `<Expiration>${awsTimestamp(result.expiration)}</Expiration>`,
    '</Credentials>',
    `<SubjectFromWebIdentityToken>${e(result.subject)}</SubjectFromWebIdentityToken>`,
    '<AssumedRoleUser>',
    `<Arn>${e(result.assumedRoleArn)}</Arn>`,
    `<AssumedRoleId>${e(result.assumedRoleId)}</AssumedRoleId>`,
    '</AssumedRoleUser>',
    packed,
    `<Provider>${e(result.provider)}</Provider>`,
    `<Audience>${e(result.audience)}</Audience>`,
    '</AssumeRoleWithWebIdentityResult>',
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`,
    '</AssumeRoleWithWebIdentityResponse>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export function errorXml(error: StsError, requestId: string): string {
  return [
    `<ErrorResponse xmlns="${NS}">`,
    '<Error>',
    `<Type>${error.type}</Type>`,
    `<Code>${error.code}</Code>`,
    `<Message>${escapeXml(error.message)}</Message>`,
    '</Error>',
    `<RequestId>${requestId}</RequestId>`,
    '</ErrorResponse>',
  ].join('\n');
}
