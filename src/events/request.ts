import { randomBytes, randomUUID } from 'node:crypto';
import { GateError } from '../errors.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { RequestData, RequestEvent } from './request-event.ts';
import { EVENT_ID, REQUEST_TYPE, requestDataProblem, sourceFor } from './request-schema.ts';

export type {
  Action,
  CredentialMetadata,
  PipelineContext,
  RequestData,
  RequestEvent,
} from './request-event.ts';

export interface BuildRequestInput {
  id?: string;
  now: Date;
  data: Omit<RequestData, 'nonce'> & { nonce?: string };
}

/**
 * Builds the request event, deep-frozen. Refuses (CONFIG_INVALID) anything the service would
 * refuse anyway, and any credential metadata that looks like a secret (P5), before it is signed.
 */
export function buildRequestEvent(input: BuildRequestInput): RequestEvent {
  const nowMs = input.now.getTime();
  if (!Number.isFinite(nowMs)) throw invalid('the request time is not a valid date');
  const id = input.id ?? randomUUID();
  if (!EVENT_ID.test(id)) throw invalid('the request id must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  // 32 random bytes (256 bits): a decision can only echo it if it saw this request.
  const data = structuredClone({
    ...input.data,
    nonce: input.data.nonce ?? randomBytes(32).toString('base64url'),
  });
  const problem = requestDataProblem(data);
  if (problem !== undefined) throw invalid(problem);
  if (Date.parse(data.expiresAt) <= nowMs) throw invalid('data.expiresAt must be in the future');
  return deepFreeze({
    specversion: '1.0',
    id,
    source: sourceFor(data.pipeline).source,
    type: REQUEST_TYPE,
    subject: `${data.action}/${data.environment}`,
    time: input.now.toISOString(),
    datacontenttype: 'application/json',
    data,
  });
}

function invalid(message: string): GateError {
  return new GateError('CONFIG_INVALID', `cannot build the request event: ${message}`);
}
