/**
 * The request event's types (CloudEvents 1.0, structured JSON mode), apart from the code that
 * builds and checks them, so request.ts and request-schema.ts both depend on them and not on
 * each other.
 */
import type { PublicEncryptionJwk } from '../jose/run-encryption-key.ts';
import type { Action } from './actions.ts';

export type { Action };

export interface PipelineContext {
  workspace: string;
  /** A slug, or a full name `<workspace>/<slug>`. */
  repository: string;
  repositoryUuid?: string;
  pipelineUuid?: string;
  stepUuid?: string;
  buildNumber?: string;
  commit?: string;
  branch?: string;
  tag?: string;
  deploymentEnvironment?: string;
  deploymentEnvironmentUuid?: string;
}

/** What STS issued, as metadata only: never the access key, secret or session token (P5). */
export interface CredentialMetadata {
  roleArn: string;
  /** Step mode only: in gate mode nothing is assumed before the allow. */
  assumedRoleArn?: string;
  sessionName: string;
  /** RFC 3339; step mode only. */
  expiration?: string;
  region: string;
  durationSeconds: number;
  /** base64url SHA-256 of the inline session policy. */
  sessionPolicyDigest?: string;
  policyArns?: string[];
}

export interface RequestData {
  action: Action;
  environment: string;
  pipeline: PipelineContext;
  credentials: CredentialMetadata;
  replyTopic: string;
  /** Echoed by the decision; binds an answer to this run (P1, P2). */
  nonce: string;
  expiresAt: string;
  /**
   * The step's OIDC JWT, encrypted to the decision service (a compact JWE, RFC 7516 §7.1;
   * src/events/token-seal.ts): the identity proof the service decrypts and verifies (P3),
   * never a live token in clear on a topic (P5).
   */
  identityTokenJwe: string;
  /**
   * Gate mode (issue 14): the public half of the run's own ECDH-ES P-256 key, which the gate
   * token in an allow is encrypted to. Signed with the rest of the request.
   */
  replyEncryptionKey?: ReplyEncryptionKey;
}

/** A public EC P-256 JWK for ECDH-ES+A256KW (src/events/reply-key.ts checks every member). */
export type ReplyEncryptionKey = PublicEncryptionJwk;

/** A CloudEvents 1.0 event in structured JSON mode (CloudEvents JSON format §3). */
export interface RequestEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: 'dev.pulsar-gate.request.v1';
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: RequestData;
}
