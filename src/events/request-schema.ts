import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { isRecord } from '../lib/is-record.ts';
import { ACTIONS, isAction } from './actions.ts';
import { credentialSecretProblem } from './credential-guard.ts';
import {
  type Check,
  compactJwe,
  type FieldSpec,
  fieldsProblem,
  isTimestamp,
  matching,
  SHA256_B64URL,
  text,
} from './fields.ts';
import { replyKeyProblem } from './reply-key.ts';
import type { PipelineContext, RequestEvent } from './request-event.ts';

export const REQUEST_TYPE = 'dev.pulsar-gate.request.v1';

/** 32 random bytes as base64url is 43 characters; less would make nonces guessable. */
export const NONCE = /^[A-Za-z0-9_-]{43,128}$/;
/** Correlation ids travel as Pulsar message properties and in decisions: keep them plain. */
export const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ARN = '^arn:aws[a-z-]*:';

const environment: Check = (value) => text(100)(value) && !(value as string).includes('/');
const positiveSeconds: Check = (value) =>
  Number.isInteger(value) && (value as number) >= 900 && (value as number) <= 43_200;
const policyArns: Check = (value) =>
  Array.isArray(value) &&
  value.length <= 10 &&
  value.every(matching(new RegExp(`${ARN}iam::(\\d{12}|aws):policy/.+$`)));

const PIPELINE: FieldSpec = {
  workspace: [text(128), true, 'a workspace slug'],
  repository: [text(256), true, 'a repository slug or full name'],
  repositoryUuid: [text(64), false, 'a UUID'],
  pipelineUuid: [text(64), false, 'a UUID'],
  stepUuid: [text(64), false, 'a UUID'],
  buildNumber: [text(32), false, 'a build number'],
  commit: [text(64), false, 'a commit hash'],
  branch: [text(256), false, 'a branch name'],
  tag: [text(256), false, 'a tag name'],
  deploymentEnvironment: [text(100), false, 'an environment name'],
  deploymentEnvironmentUuid: [text(64), false, 'a UUID'],
};

// STS AssumeRoleWithWebIdentity output, metadata only (P5).
const CREDENTIALS: FieldSpec = {
  roleArn: [matching(new RegExp(`${ARN}iam::\\d{12}:role/.+$`)), true, 'an IAM role ARN'],
  // Absent in gate mode: the credentials are minted only after the allow (issue 14).
  assumedRoleArn: [matching(new RegExp(`${ARN}sts::\\d{12}:assumed-role/.+$`)), false, 'an assumed-role ARN'],
  sessionName: [matching(/^[\w+=,.@-]{2,64}$/), true, 'an STS session name'],
  expiration: [isTimestamp, false, 'an RFC 3339 timestamp'],
  region: [matching(/^[a-z]{2}(-[a-z]+)+-\d+$/), true, 'an AWS region'],
  durationSeconds: [positiveSeconds, true, 'whole seconds from 900 to 43200'],
  sessionPolicyDigest: [matching(SHA256_B64URL), false, 'a base64url SHA-256 digest'],
  policyArns: [policyArns, false, 'a list of up to 10 IAM policy ARNs'],
};

const DATA: FieldSpec = {
  action: [isAction, true, ACTIONS.join(' | ')],
  environment: [environment, true, 'a non-empty environment name without "/"'],
  pipeline: [isRecord, true, 'an object'],
  credentials: [isRecord, true, 'an object'],
  replyTopic: [text(512), true, 'a topic name'],
  nonce: [matching(NONCE), true, 'at least 32 random bytes as base64url'],
  expiresAt: [isTimestamp, true, 'an RFC 3339 timestamp'],
  identityTokenJwe: [
    compactJwe(MAX_COMPACT_BYTES.tokenJwe),
    true,
    'a compact JWE (the step token encrypted to the service)',
  ],
  // Gate mode: the run's public encryption key, checked member by member below.
  replyEncryptionKey: [isRecord, false, 'a public JWK'],
};

/** CloudEvents 1.0 context attributes for this event type (spec §3.1: REQUIRED and OPTIONAL attributes). */
const EVENT: FieldSpec = {
  specversion: [(value) => value === '1.0', true, '"1.0"'],
  id: [matching(EVENT_ID), true, 'a plain identifier'],
  source: [text(512), true, 'a URI-reference'],
  type: [(value) => value === REQUEST_TYPE, true, `"${REQUEST_TYPE}"`],
  subject: [text(256), true, '"<action>/<environment>"'],
  time: [isTimestamp, true, 'an RFC 3339 timestamp'],
  datacontenttype: [(value) => value === 'application/json', true, '"application/json"'],
  data: [isRecord, true, 'an object'],
};

/** The first problem with the request `data`, or undefined. Never quotes a value. */
export function requestDataProblem(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object';
  // The secret guard runs first, so a leaked key is named as such rather than as "unknown field".
  return (
    credentialSecretProblem(data.credentials) ??
    fieldsProblem(data, 'data', DATA) ??
    fieldsProblem(data.pipeline, 'data.pipeline', PIPELINE) ??
    fieldsProblem(data.credentials, 'data.credentials', CREDENTIALS) ??
    (data.replyEncryptionKey === undefined ? undefined : replyKeyProblem(data.replyEncryptionKey)) ??
    sourceFor(data.pipeline as PipelineContext).problem
  );
}

/** The first problem with a whole request event, including envelope/data consistency. */
export function requestEventProblem(event: unknown): string | undefined {
  const problem =
    fieldsProblem(event, 'event', EVENT) ?? requestDataProblem((event as { data: unknown }).data);
  if (problem !== undefined) return problem;
  const { source, subject, time, data } = event as RequestEvent;
  if (source !== sourceFor(data.pipeline).source) return 'event.source does not match data.pipeline';
  if (subject !== `${data.action}/${data.environment}`)
    return 'event.subject does not match data.action/environment';
  if (Date.parse(data.expiresAt) <= Date.parse(time)) return 'data.expiresAt must be after event.time';
  return undefined;
}

/**
 * `/bitbucket/<workspace>/<repository slug>`: a URI-reference (CloudEvents 1.0 §3.1.1 source),
 * so each segment is percent-encoded (RFC 3986 §2.1). A full name must be in the workspace.
 */
export function sourceFor(pipeline: PipelineContext): { source: string; problem?: string } {
  const { workspace, repository } = pipeline;
  const slash = repository.lastIndexOf('/');
  const owner = slash === -1 ? workspace : repository.slice(0, slash);
  const slug = repository.slice(slash + 1);
  const source = `/bitbucket/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}`;
  if (owner !== workspace || slug === '')
    return { source, problem: 'data.pipeline.repository is not in data.pipeline.workspace' };
  return { source };
}
